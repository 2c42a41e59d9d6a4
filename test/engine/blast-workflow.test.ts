// Blast's real workflow — 17 transient tasks, fan-outs and fan-ins, the two validation tasks with
// `phot valid failed` — on 100 transients with trivial plugins: every transient completes and each
// (transient, task) runs exactly once, counted from outside the runtime. On PostgreSQL a second
// runtime process (`blast-tasks start --no-api`) shares the database; the embedded database is one
// process's by design, so there one runtime does it all.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { DATABASE_URL, freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { BLAST_WORKFLOW, FIXTURES, allRuns, blastWorkflowManifest, readCalls, sql, tally, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const ROOT = join(FIXTURES, '../../..')
const N = 100
const dir = tempDir(t)
const log = join(dir, 'calls.log')
process.env.BLAST_TEST_LOG = log
const manifest = writeManifest(dir, blastWorkflowManifest())
const schemas = freshSchemas()
const runtime = await startTestRuntime(t, { manifest, ...schemas })

let child: ChildProcess | null = null
let childOutput = ''
if (onPostgres) {
  const before = new Date()
  child = spawn(process.execPath, [join(ROOT, 'runtime/cli.ts'), 'start', '--no-api', '--no-watch'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: DATABASE_URL!,
      BLAST_SCHEMA: schemas.schema,
      BLAST_BOSS_SCHEMA: schemas.bossSchema,
      BLAST_MANIFEST: manifest,
      LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', chunk => { childOutput += chunk })
  child.stderr!.on('data', chunk => { childOutput += chunk })
  t.teardown(() => { if (child && child.exitCode === null) child.kill('SIGKILL') })
  // the child sweeps every task once it has subscribed its workers
  await waitFor(async () => {
    if (child!.exitCode !== null) throw new Error(`the second runtime exited with ${child!.exitCode}:\n${childOutput}`)
    const rows = await sql<{ n: number }>(runtime, 'SELECT count(*)::int AS n FROM {s}.task WHERE last_sweep_at IS NULL OR last_sweep_at < $1', [before])
    return rows[0]!.n === 0
  }, { timeoutMs: 60000, what: 'the second runtime process to start' })
}

t.test(`${BLAST_WORKFLOW.length} tasks × ${N} transients, ${onPostgres ? 'two runtime processes on one PostgreSQL database' : 'one embedded runtime'}`, async t => {
  const names = Array.from({ length: N }, (_, i) => `SN2024${String(i).padStart(3, '0')}`)
  const started = Date.now()
  await runtime.createTransients(names.map((name, i) => ({
    name, ra_deg: (i * 3.6) % 360, dec_deg: (i % 180) - 89.5, public_timestamp: new Date(Date.UTC(2024, 0, 1 + i)).toISOString()
  })))
  await waitFor(async () => (await runtime.listTransients({ processing_status: 'completed', limit: 1000 })).items.length === N,
    { timeoutMs: 240000, intervalMs: 200, what: `${N} completed transients` })
  const wall = Date.now() - started
  t.comment(`${N * BLAST_WORKFLOW.length} runs in ${wall} ms (${Math.round(N * BLAST_WORKFLOW.length / (wall / 1000))} runs/s)`)

  const calls = readCalls(log)
  const counts = tally(calls)
  t.equal(counts.size, N * BLAST_WORKFLOW.length, 'every (transient, task) ran')
  t.same([...new Set(counts.values())], [1], 'each exactly once')
  const runs = await allRuns(runtime)
  t.equal(runs.length, N * BLAST_WORKFLOW.length, 'one history row each')
  t.ok(runs.every(run => run.status === 'processed' && run.attempt === 1 && run.error === null))

  for (const name of [names[0]!, names[N - 1]!]) {
    const detail = await runtime.getTransient(name)
    t.same([detail.progress, detail.processing_status], [100, 'completed'], name)
    t.same(detail.tasks.map(r => r.status), BLAST_WORKFLOW.map(() => 'processed'))
  }
  // parents before children, for every transient, from the history
  const finished = new Map(runs.map(run => [`${run.transient} / ${run.task}`, run]))
  let ordered = 0
  for (const name of names) {
    for (const [task, parents] of BLAST_WORKFLOW) {
      const own = Date.parse(finished.get(`${name} / ${task}`)!.started_at)
      if (parents.every(parent => Date.parse(finished.get(`${name} / ${parent}`)!.finished_at!) <= own)) ordered++
    }
  }
  t.equal(ordered, N * BLAST_WORKFLOW.length, 'every run started after its parents finished')

  if (child) {
    const byPid = new Map<number, number>()
    for (const call of calls) byPid.set(call.pid, (byPid.get(call.pid) ?? 0) + 1)
    t.comment(`runs by process: this ${byPid.get(process.pid) ?? 0}, the child ${byPid.get(child.pid!) ?? 0}`)
    t.same([...byPid.keys()].sort(), [process.pid, child.pid!].sort(), 'both processes ran plugins')
    const workers = new Set(runs.map(run => run.worker))
    t.equal(workers.size, 2)
    t.ok(workers.has(runtime.workerId))
  }
})

t.test('the second process stops cleanly on SIGTERM', { skip: !onPostgres && 'PostgreSQL only' }, async t => {
  child!.kill('SIGTERM')
  const [code] = await once(child!, 'exit')
  t.equal(code, 0, childOutput)
  const workers = await sql<{ id: string }>(runtime, 'SELECT id FROM {s}.worker')
  t.same(workers.map(w => w.id), [runtime.workerId], 'it removed its worker row')
})
