// System tasks: process(ctx) with ctx.transients, a history row per run with no transient, and
// never two runs of one system task at once (the claim on its system_run row) — within one runtime,
// and on PostgreSQL across two runtimes sharing the database.
import t from 'tap'
import { join } from 'node:path'
import { freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, sleep, sql, tempDir, writeManifest } from '../fixtures/engine/harness.ts'
import type { Runtime } from '../../runtime/runtime.ts'

const dir = tempDir(t)
const systemLog = join(dir, 'system.log')
process.env.BLAST_TEST_SYSTEM_LOG = systemLog
process.env.BLAST_TEST_SYSTEM_MS = '300'
const manifest = writeManifest(dir, [
  'version: 1',
  'tasks:',
  '  - { name: Root, plugin: "{{plugins}}/behave.ts" }',
  '  - { name: Access, kind: system, plugin: "{{plugins}}/system-access.ts", enabled: false, frequency_seconds: 3600 }',
  '  - { name: Slow system, kind: system, plugin: "{{plugins}}/slow-system.ts", enabled: false, frequency_seconds: 3600 }'
].join('\n'))
const schemas = freshSchemas()
const runtime = await startTestRuntime(t, { manifest, ...schemas })

/** the runs the slow plugin logged, by start time */
async function readIntervals (): Promise<Array<{ start: number; end: number }>> {
  const { readFileSync, existsSync } = await import('node:fs')
  if (!existsSync(systemLog)) return []
  const runs = new Map<string, { start: number; end: number }>()
  for (const line of readFileSync(systemLog, 'utf8').split('\n').filter(Boolean)) {
    const [kind, at, run] = line.split('\t') as [string, string, string]
    const entry = runs.get(run) ?? { start: NaN, end: NaN }
    entry[kind as 'start' | 'end'] = Number(at)
    runs.set(run, entry)
  }
  return [...runs.values()].sort((a, b) => a.start - b.start)
}

/** calls runTask from each runtime in turn, every few ms, for a while; returns how many were queued */
async function hammer (runtimes: Runtime[], rounds: number): Promise<number> {
  let queued = 0
  for (let i = 0; i < rounds; i++) {
    queued += (await runtimes[i % runtimes.length]!.runTask('Slow system')).queued
    await sleep(40)
  }
  return queued
}

// a job completes when its run is claimed: the run's own row says when it has ended
const idle = async (runtimes: Runtime[]) => {
  const jobs = await runtimes[0]!.boss.findJobs('task.slow-system')
  const [run] = await sql<{ state: string }>(runtimes[0]!, `SELECT state FROM {s}.system_run WHERE task = 'Slow system'`)
  return jobs.every(job => job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') && run?.state === 'idle'
}

t.test('process(ctx) gets ctx.transients: upsert (new ones queued at once), list, get', async t => {
  await runtime.createTransients([{ name: 'sys-existing', ra_deg: 3, dec_deg: 4 }])
  t.same((await runtime.setEnabled('Access', true)).enabled, { declared: false, effective: true, override: true })
  const [run] = await waitFor(() => allRuns(runtime, { task: 'Access' }).then(runs => runs.length > 0 && runs), { what: 'the Access run' })
  t.match(run, { transient: null, task: 'Access', status: 'processed', error: null, attempt: 1, cause: 'api', worker: runtime.workerId })
  t.same(run!.output, {
    upserted: { created: ['sys-new'], updated: ['sys-existing'] },
    listed: ['sys-existing', 'sys-new'],
    after: ['sys-new'],
    got: { name: 'sys-existing', redshift: 0.5, tasks: ['Root'] },
    missing: null,
    ctx: { task: 'Access', attempt: 1 }
  })
  t.ok(run!.duration_ms! >= 0 && run!.finished_at)
  await waitFor(async () => (await runtime.getTransient('sys-new')).processing_status === 'completed', { what: 'sys-new processed' })
  const created = await runtime.getTransient('sys-new')
  t.same([created.public_timestamp, created.data], ['2020-01-01T00:00:00.000Z', { from: 'system' }])
  t.same((await allRuns(runtime, { transient: 'sys-new' })).map(r => [r.task, r.cause]), [['Root', 'push']], 'queued at once')
  t.equal((await runtime.getTransient('sys-existing')).redshift, 0.5)
  await t.rejects(runtime.runTask('Access', 'sys-new'), { code: 'BLAST_NOT_A_TRANSIENT_TASK' })
  t.same((await runtime.getTask('Access')).counts, {}, 'a system task has no registers')
})

t.test('never two runs of one system task at once (its claim), each run in history', async t => {
  await runtime.setEnabled('Slow system', true)
  const queued = await hammer([runtime], 30)
  await waitFor(() => idle([runtime]), { what: 'the slow system task to go idle' })
  const intervals = await readIntervals()
  t.comment(`${queued + 1} of 31 requests queued a run; ${intervals.length} runs`)
  t.ok(intervals.length >= 2 && intervals.length < 31, 'requests while one run is queued are dropped')
  for (let i = 1; i < intervals.length; i++) {
    t.ok(intervals[i]!.start >= intervals[i - 1]!.end, `run ${i + 1} started after run ${i} ended`)
  }
  const runs = await allRuns(runtime, { task: 'Slow system' })
  t.equal(runs.length, intervals.length, 'one history row per run')
  // 'sweep' too: the hourly cron of a 3600 s task may fire while the test runs (on the hour)
  t.ok(runs.every(r => r.transient === null && r.status === 'processed' && (r.cause === 'api' || r.cause === 'sweep')))
})

t.test('two runtimes on one PostgreSQL database: still one run at a time', { skip: !onPostgres && 'PostgreSQL only (embedded is one process)' }, async t => {
  const second = await startTestRuntime(t, { manifest, ...schemas })
  const before = (await readIntervals()).length
  const queued = await hammer([runtime, second], 80)
  await waitFor(() => idle([runtime, second]), { what: 'the slow system task to go idle' })
  const intervals = (await readIntervals()).slice(before)
  const runs = (await allRuns(runtime, { task: 'Slow system' })).slice(before)
  const byWorker = new Map<string, number>()
  for (const run of runs) byWorker.set(run.worker!, (byWorker.get(run.worker!) ?? 0) + 1)
  t.comment(`${queued} requests queued; ${intervals.length} runs; by runtime: ${[...byWorker.values()].join(' + ')}`)
  t.ok(intervals.length >= 2)
  for (let i = 1; i < intervals.length; i++) {
    t.ok(intervals[i]!.start >= intervals[i - 1]!.end, `run ${i + 1} started after run ${i} ended`)
  }
  t.equal(runs.length, intervals.length)
  t.ok([...byWorker.keys()].every(worker => worker === runtime.workerId || worker === second.workerId))
})
