// Exactly once under concurrency: four runtime processes on one PostgreSQL database, 10,000
// transients, a three-task chain. Every (transient, task) runs exactly once, counted from outside
// the runtime (the plugin appends a line per invocation). The embedded database is one process's
// by design: there a single process runs a smaller batch with the same checks.
import t from 'tap'
import type { Test } from 'tap'
import { Deployment, onPostgres, tally, until, type RuntimeProcess } from './fixtures/harness.ts'

const TASKS = ['Task A', 'Task B', 'Task C']

async function exactlyOnce (t: Test, processes: number, transients: number): Promise<void> {
  const deployment = new Deployment(t, { manifest: 'chain.yaml' })
  const started = Date.now()
  const procs: RuntimeProcess[] = []
  for (let i = 0; i < processes; i++) procs.push(await deployment.spawn({ api: i === 0 }))
  await Promise.all(procs.map(proc => proc.ready()))
  t.comment(`${processes} process(es) up in ${Date.now() - started} ms`)

  const ingest = Date.now()
  for (let from = 0; from < transients; from += 1000) {
    const batch = Array.from({ length: Math.min(1000, transients - from) }, (_, i) => ({
      name: `2024r${String(from + i).padStart(5, '0')}`, ra_deg: (from + i) % 360, dec_deg: 0, public_timestamp: new Date(1.7e12 + (from + i) * 1000).toISOString()
    }))
    const { status, body } = await procs[0].api('POST', '/api/v1/transients', batch)
    t.equal(status, 201, 'batch created', { body: status === 201 ? undefined : body })
  }
  t.comment(`${transients} transients ingested in ${Date.now() - ingest} ms`)

  const expected = transients * TASKS.length
  await until(() => deployment.readInvocations().length >= expected && procs[0].api('GET', '/api/v1/tasks/Task%20C')
    .then(({ body }) => body.counts?.processed === transients), 'every run recorded', 240000, 500)
  const seconds = (Date.now() - ingest) / 1000
  t.comment(`ingest and ${expected} runs in ${seconds.toFixed(1)} s (${Math.round(expected / seconds)} runs/s over ${processes} process(es))`)

  const invocations = deployment.readInvocations()
  const counts = tally(invocations)
  const twice = [...counts].filter(([, n]) => n !== 1)
  t.equal(invocations.length, expected, 'one invocation per (transient, task)')
  t.equal(counts.size, expected, 'every (transient, task) ran')
  t.same(twice.slice(0, 10), [], 'no (transient, task) ran twice')
  t.ok(invocations.every(row => row.attempt === 1), 'every run is a first attempt')
  const pids = new Set(invocations.map(row => row.pid))
  t.comment(`runs per process: ${[...pids].map(pid => invocations.filter(row => row.pid === pid).length).join(', ')}`)
  if (processes > 1) t.ok(pids.size > 1, 'the work was shared between processes')

  for (const proc of procs) proc.kill('SIGTERM')
  await Promise.all(procs.map(proc => proc.exited))
  const registers = await deployment.query<{ task: string; status: string; n: number; attempts: number }>(
    'SELECT task, status, count(*)::int AS n, max(attempts)::int AS attempts FROM {s}.task_status GROUP BY task, status ORDER BY task')
  t.same(registers, TASKS.map(task => ({ task, status: 'processed', n: transients, attempts: 1 })), 'every register processed, attempt 1')
  const runs = await deployment.query<{ n: number; discarded: number }>(
    "SELECT count(*)::int AS n, count(*) FILTER (WHERE error LIKE 'result discarded%')::int AS discarded FROM {s}.run")
  t.same(runs, [{ n: expected, discarded: 0 }], 'one history row per run, none discarded')
  t.same(procs.map(proc => proc.exit), procs.map(() => ({ code: 0, signal: null })), 'every process stopped cleanly')
}

t.test('four processes on one PostgreSQL database run 10,000 transients × 3 tasks exactly once',
  { skip: onPostgres ? false : 'needs DATABASE_URL: four processes cannot share the embedded database (by design)' },
  t => exactlyOnce(t, 4, 10000))

t.test('one process on the embedded database runs 2,000 transients × 3 tasks exactly once',
  { skip: onPostgres ? 'runs on the embedded database only (the PostgreSQL run has the four-process test)' : false },
  t => exactlyOnce(t, 1, 2000))
