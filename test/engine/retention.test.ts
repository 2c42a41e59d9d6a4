// Retention (runtime/retention.ts): run history older than BLAST_HISTORY_DAYS is pruned, only the
// newest BLAST_HISTORY_PER_TASK runs of each (transient, task) are kept, in batches of 1,000, one
// process at a time — and the registers (status, output, last error) are never touched. pg-boss's
// queues get BLAST_BOSS_ARCHIVE_DAYS as their deleteAfterSeconds.
import t from 'tap'
import { join } from 'node:path'
import pg from 'pg'
import { DATABASE_URL, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { FIXTURES, sql } from '../fixtures/engine/harness.ts'
import type { Runtime } from '../../runtime/runtime.ts'
import { loadSettings } from '../../runtime/settings.ts'

const KEEP = 3
const OLD = 2500

const settled = (runtime: Runtime, name: string) =>
  waitFor(async () => (await runtime.getTransient(name)).processing_status !== 'processing', { what: `${name} settled` })

const registers = (runtime: Runtime) => sql(runtime, `SELECT t.name, ts.task, ts.status, ts.output, ts.last_error, ts.attempts, ts.updated_at
  FROM {s}.task_status ts JOIN {s}.transient t ON t.id = ts.transient_id ORDER BY t.name, ts.task`)

const pairCounts = async (runtime: Runtime) => new Map((await sql<{ pair: string; n: number }>(runtime,
  `SELECT transient || ' / ' || task AS pair, count(*)::int AS n FROM {s}.run WHERE transient IS NOT NULL GROUP BY 1`)).map(r => [r.pair, r.n]))

async function metric (runtime: Runtime, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const found = await runtime.metrics.getSingleMetric(name)!.get()
  return found.values.find(v => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value
}

t.test('old history pruned, the newest N per (transient, task) kept, registers untouched', async t => {
  const runtime = await startTestRuntime(t, {
    manifest: join(FIXTURES, 'chain.yaml'),
    retention: { historyDays: 30, historyPerTask: KEEP, bossArchiveDays: 0.5, intervalSeconds: 3600 }
  })
  await runtime.createTransients([
    { name: 'ret-1', ra_deg: 1, dec_deg: 1 },
    { name: 'ret-2', ra_deg: 2, dec_deg: 2, data: { behave: { 'Task D': 'throw' } } }
  ])
  await settled(runtime, 'ret-1')
  await settled(runtime, 'ret-2')

  // history as months of running leave it: old runs (more than two batches), one pair run many times
  await sql(runtime, `INSERT INTO {s}.run (transient, task, started_at, status, cause)
    SELECT 'gone-' || i, 'Task A', now() - interval '40 days', 'processed', 'sweep' FROM generate_series(1, $1) i`, [OLD])
  await sql(runtime, `INSERT INTO {s}.run (transient, task, started_at, status, cause)
    SELECT 'ret-1', 'Task A', now() - make_interval(secs => 100 - i), 'processed', 'api' FROM generate_series(1, 10) i`)
  await sql(runtime, `INSERT INTO {s}.run (transient, task, started_at, status, cause)
    VALUES (NULL, 'system', now(), 'processed', 'sweep'), ('ret-2', 'Task B', now(), 'processed', 'api'), ('ret-2', 'Task B', now(), 'processed', 'api')`)
  const before = await registers(runtime)
  const detail = await runtime.getTransient('ret-2')
  const newest = (await sql<{ id: string }>(runtime, `SELECT id::text AS id FROM {s}.run r WHERE transient = 'ret-1' AND task = 'Task A'
    ORDER BY r.id DESC LIMIT $1`, [KEEP])).map(r => r.id)
  const counts = await pairCounts(runtime)
  t.equal(counts.get('ret-1 / Task A'), 11, 'one run and ten older ones')
  t.equal(counts.get('ret-2 / Task B'), 3)

  const pass = await runtime.pruner.prune()
  t.same(pass, { byAge: OLD, perTask: 11 - KEEP, skipped: false }, `${OLD} by age (three batches), ${11 - KEEP} past the newest ${KEEP}`)
  t.equal((await sql<{ n: number }>(runtime, "SELECT count(*)::int AS n FROM {s}.run WHERE started_at < now() - interval '30 days'"))[0]!.n, 0)
  const after = await pairCounts(runtime)
  t.ok([...after.values()].every(n => n <= KEEP), 'no pair has more than N runs')
  t.equal(after.get('ret-2 / Task B'), 3, 'a pair at the limit keeps all')
  t.same((await sql<{ id: string }>(runtime, `SELECT id::text AS id FROM {s}.run r WHERE transient = 'ret-1' AND task = 'Task A' ORDER BY r.id DESC`)).map(r => r.id),
    newest, 'the newest N are the ones kept')
  t.equal((await sql<{ n: number }>(runtime, 'SELECT count(*)::int AS n FROM {s}.run WHERE transient IS NULL'))[0]!.n, 1, 'a system run is kept')
  t.same(await registers(runtime), before, 'every register (status, output, last error, attempts) as it was')
  t.same(await runtime.getTransient('ret-2'), detail)
  t.match(detail.tasks.find(r => r.task === 'Task D'), { status: 'no host match', last_error: 'Task D failed on purpose' })

  t.equal(await metric(runtime, 'blast_history_pruned_total', { rule: 'age' }), OLD)
  t.equal(await metric(runtime, 'blast_history_pruned_total', { rule: 'per_task' }), 11 - KEEP)
  const rows = (await sql<{ n: number }>(runtime, 'SELECT count(*)::int AS n FROM {s}.run'))[0]!.n
  t.equal(await metric(runtime, 'blast_history_rows'), rows)
  t.ok((await metric(runtime, 'blast_database_bytes', { schema: runtime.store.schema }))! > 0, 'our schema has a size')
  t.ok((await metric(runtime, 'blast_database_bytes', { schema: `${runtime.store.schema}_boss` }))! > 0, "pg-boss's schema has a size")

  t.same(await runtime.pruner.prune(), { byAge: 0, perTask: 0, skipped: false }, 'a second pass finds nothing')

  if (!onPostgres) {
    // the embedded database has no autovacuum: the pruner vacuums what it left dead, so the space is reused
    // (statistics reach pg_stat_user_tables about a second after the deletes)
    const stats = async () => (await sql<{ dead: number; live: number; vacuumed: boolean }>(runtime, `SELECT n_dead_tup::int AS dead,
      n_live_tup::int AS live, last_vacuum IS NOT NULL AS vacuumed FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'run'`,
    [runtime.store.schema]))[0]!
    await waitFor(async () => { const s = await stats(); return s.vacuumed || s.dead > 50 + 0.2 * s.live }, { what: 'dead rows counted', timeoutMs: 10000 })
    await runtime.pruner.prune() // a pass vacuums at its end
    await waitFor(async () => (await stats()).vacuumed, { what: 'the run table vacuumed', timeoutMs: 10000 })
    t.pass('a pass vacuumed the history it pruned')
  }

  // new runs of a pair already at the limit: the pass after them cuts it back to N
  await runtime.reprocess('ret-1', 'test')
  await waitFor(async () => (await runtime.getTransient('ret-1')).processing_status === 'completed', { what: 'ret-1 completed again' })
  const grown = await pairCounts(runtime)
  t.ok(grown.get('ret-1 / Task A')! > KEEP, 'the reprocess added runs')
  const again = await runtime.pruner.prune()
  t.ok(again.perTask > 0, 'the pass pruned the pair again')
  t.ok([...(await pairCounts(runtime)).values()].every(n => n <= KEEP), 'back to N per pair')

  // pg-boss deletes our completed jobs (the sweep queue's; transient tasks make none) after BLAST_BOSS_ARCHIVE_DAYS
  const queue = await runtime.boss.getQueue('blast.sweep')
  t.equal(queue?.deleteAfterSeconds, 43200)
})

t.test('one process at a time: a pass skips while another holds the turn', { skip: !onPostgres && 'the embedded database has one connection' }, async t => {
  const runtime = await startTestRuntime(t, {
    manifest: join(FIXTURES, 'chain.yaml'),
    retention: { historyDays: 1, historyPerTask: 0, bossArchiveDays: 1, intervalSeconds: 3600 }
  })
  await sql(runtime, `INSERT INTO {s}.run (transient, task, started_at, status, cause)
    SELECT 'gone-' || i, 'Task A', now() - interval '2 days', 'processed', 'sweep' FROM generate_series(1, 10) i`)
  const other = new pg.Client({ connectionString: DATABASE_URL! })
  await other.connect()
  t.teardown(() => other.end())
  await other.query('BEGIN')
  await other.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`blast-tasks:retention:${runtime.store.schema}`])
  t.same(await runtime.pruner.prune(), { byAge: 0, perTask: 0, skipped: true })
  await other.query('COMMIT')
  t.same(await runtime.pruner.prune(), { byAge: 10, perTask: 0, skipped: false })
})

t.test('the settings: defaults, fractions of days, and a bad value named', async t => {
  t.match(loadSettings({}), { historyDays: 30, historyPerTask: 20, bossArchiveDays: 1 })
  t.match(loadSettings({ BLAST_HISTORY_DAYS: '0.5', BLAST_HISTORY_PER_TASK: '0', BLAST_BOSS_ARCHIVE_DAYS: '0.25' }),
    { historyDays: 0.5, historyPerTask: 0, bossArchiveDays: 0.25 })
  t.throws(() => loadSettings({ BLAST_HISTORY_DAYS: '-1' }), { message: 'BLAST_HISTORY_DAYS="-1" is not a number from 0 to 36500' })
  t.throws(() => loadSettings({ BLAST_HISTORY_PER_TASK: '2.5' }), { message: 'BLAST_HISTORY_PER_TASK="2.5" is not an integer from 0 to 1000000' })
  t.throws(() => loadSettings({ BLAST_BOSS_ARCHIVE_DAYS: '0' }), { message: 'BLAST_BOSS_ARCHIVE_DAYS="0" is not a number from 0.001 to 3650' })
})
