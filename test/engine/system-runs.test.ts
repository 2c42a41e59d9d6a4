// System tasks keep the run promises of transient tasks: a run that throws is retried with its
// attempt counted (ctx.attempt says which) and gets the task's failed_status after the last retry;
// a run whose process is killed with -9 is taken back by the reaper and runs again. On the embedded
// database by default, on PostgreSQL with DATABASE_URL.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { DATABASE_URL, dropSchemas, freshSchemas, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { FIXTURES, allRuns, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const ROOT = join(FIXTURES, '../../..')

t.test('a system run that throws is retried, ctx.attempt counting, then gets its failed_status', async t => {
  const dir = tempDir(t)
  const manifest = writeManifest(dir, `version: 1
statuses:
  - { message: gave up, type: error }
tasks:
  - { name: Broken, kind: system, plugin: "{{plugins}}/flaky-system.ts", frequency_seconds: 3600, enabled: false, retries: 2, failed_status: gave up }
  - { name: Flaky, kind: system, plugin: "{{plugins}}/flaky-system.ts", frequency_seconds: 3600, enabled: false, retries: 1 }
`)
  const runtime = await startTestRuntime(t, { manifest })
  await runtime.setEnabled('Broken', true)
  await runtime.setEnabled('Flaky', true)
  const broken = await waitFor(async () => {
    const runs = await allRuns(runtime, { task: 'Broken' })
    return runs.length === 3 && runs
  }, { timeoutMs: 60000, intervalMs: 200, what: 'three runs of Broken' })
  const oldestFirst = [...broken].sort((a, b) => a.attempt - b.attempt)
  t.same(oldestFirst.map(run => [run.attempt, run.status, run.action, run.error]), [
    [1, 'not processed', 'retry scheduled', 'failed on ctx.attempt 1'],
    [2, 'not processed', 'retry scheduled', 'failed on ctx.attempt 2'],
    [3, 'gave up', null, 'failed on ctx.attempt 3']
  ], 'two retries, each attempt counted and told to the plugin, then the failed_status')
  t.comment(oldestFirst.map(run => `${run.attempt} ${run.started_at}`).join(', '))
  t.same(oldestFirst.map(run => run.cause), ['api', 'retry', 'retry'])

  const flaky = await waitFor(async () => {
    const runs = await allRuns(runtime, { task: 'Flaky' })
    return runs.some(run => run.status === 'processed') && runs
  }, { timeoutMs: 60000, intervalMs: 200, what: 'Flaky processed' })
  t.same([...flaky].sort((a, b) => a.attempt - b.attempt).map(run => [run.attempt, run.status, run.output]), [
    [1, 'not processed', null],
    [2, 'processed', { attempt: 2 }]
  ], 'a retry that succeeds ends it')
  // a new run after a run ended for good starts again at attempt 1
  await runtime.runTask('Flaky')
  await waitFor(async () => (await allRuns(runtime, { task: 'Flaky' })).length === 4, { timeoutMs: 60000, intervalMs: 200, what: 'the next run of Flaky' })
  t.same((await allRuns(runtime, { task: 'Flaky' })).map(run => run.attempt).sort(), [1, 1, 2, 2])
})

t.test('a system run whose process is killed with -9 runs again in the next process', async t => {
  const dir = tempDir(t)
  const manifest = writeManifest(dir, `version: 1
tasks:
  - { name: Slow system, kind: system, plugin: "{{plugins}}/slow-system.ts", frequency_seconds: 3600 }
`)
  const log = join(dir, 'system.log')
  const schemas = freshSchemas()
  t.teardown(() => dropSchemas(schemas.schema, schemas.bossSchema))
  const dataDir = join(dir, 'data')
  const env: NodeJS.ProcessEnv = {
    ...process.env, BLAST_MANIFEST: manifest, BLAST_DATA_DIR: dataDir, BLAST_TEST_SYSTEM_LOG: log, BLAST_TEST_SYSTEM_MS: '600000',
    BLAST_LEASE_SECONDS: '3', LOG_LEVEL: 'warn', BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema
  }
  if (!DATABASE_URL) delete env.DATABASE_URL
  const child = spawn(process.execPath, [join(ROOT, 'runtime/cli.ts'), 'start', '--no-api', '--no-watch'], { cwd: dir, env, stdio: 'ignore' })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  // its start-up sweep fires the hourly task at once; kill the process while the run sleeps
  await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('start\t'), { timeoutMs: 60000, intervalMs: 100, what: 'the first run to start' })
  child.kill('SIGKILL')
  await once(child, 'exit')
  const killedAt = Date.now()

  process.env.BLAST_TEST_SYSTEM_LOG = log
  process.env.BLAST_TEST_SYSTEM_MS = '100'
  t.teardown(() => { delete process.env.BLAST_TEST_SYSTEM_LOG; delete process.env.BLAST_TEST_SYSTEM_MS })
  const next = await Runtime.start({
    manifest, databaseUrl: DATABASE_URL, dataDir: DATABASE_URL ? null : dataDir, ...schemas, leaseSeconds: 3, logger: createLogger('silent'), shutdownGraceSeconds: 2
  })
  t.teardown(() => next.stop())
  const runs = await waitFor(async () => {
    const runs = await allRuns(next, { task: 'Slow system' })
    return runs.some(run => run.status === 'processed') && runs
  }, { timeoutMs: 60000, intervalMs: 100, what: 'the killed run to run again' })
  t.comment(`ran again ${Date.now() - killedAt} ms after the kill (lease 3 s)`)
  t.same([...runs].sort((a, b) => a.attempt - b.attempt).map(run => [run.attempt, run.status, run.action, run.cause]), [
    [1, 'not processed', 'recovered', 'recovery'],
    [2, 'processed', null, 'recovery']
  ], 'the lost attempt is recorded and counted; the next attempt runs in the new process')
  t.match(runs.find(run => run.action === 'recovered')!.error, /^worker \S+ stopped while running; re-queued \(attempt 1\)$/)
  t.equal(runs.find(run => run.status === 'processed')!.worker, next.workerId)
  t.same((runs.find(run => run.status === 'processed')!.output as { attempt: number }).attempt, 2, 'ctx.attempt is 2')
})
