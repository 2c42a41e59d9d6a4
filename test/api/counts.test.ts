// Counts in constant time (migration 005): GET /api/v1/tasks reads the counts the triggers keep, and
// they must equal a count of every register after any mix of transitions — inserts, claims,
// completions, domain errors, retrigger, reprocess, reset, deletion (a cascade), folds in between.
// Each check compares both in one statement, so one snapshot, even while runs are in flight.
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { splitStatements } from '../../runtime/migrator.ts'
import type { Runtime } from '../../runtime/runtime.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))
const TASKS = ['Step one', 'Step two', 'Step three', 'Check input']

type Count = { task: string; status: string; n: number }
const key = (c: Count) => `${c.task} / ${c.status} = ${c.n}`

/** the kept counts and a full count, read in one statement */
async function bothCounts (runtime: Runtime): Promise<{ kept: string[]; scanned: string[]; deltas: number }> {
  const { sql } = runtime.store
  const [row] = await runtime.db.query<{ kept: Count[] | null; scanned: Count[] | null; deltas: number }>(
    `WITH kept AS (${sql.statusCounts}), scanned AS (${sql.statusCountsScan})
     SELECT (SELECT json_agg(kept) FROM kept) AS kept, (SELECT json_agg(scanned) FROM scanned) AS scanned,
       (SELECT count(*)::int FROM ${runtime.store.schema}.task_count_delta) AS deltas`)
  return { kept: (row!.kept ?? []).map(key).sort(), scanned: (row!.scanned ?? []).map(key).sort(), deltas: row!.deltas }
}

async function same (t: Test, runtime: Runtime, what: string): Promise<void> {
  const { kept, scanned } = await bothCounts(runtime)
  t.same(kept, scanned, `kept counts equal a full count: ${what}`)
}

const settled = (runtime: Runtime) => waitFor(async () => {
  const { items } = await runtime.listTransients({ limit: 1000 })
  return items.length > 0 && items.every(x => x.processing_status !== 'processing')
}, { what: 'every transient settled' })

t.test('splitStatements keeps a dollar-quoted body whole', async t => {
  const text = [
    '-- a comment; with $$ in it',
    'CREATE TABLE a (x int);',
    'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$',
    'BEGIN',
    '  INSERT INTO a VALUES (1);',
    '  RETURN NULL;',
    'END',
    '$$;',
    'CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT \'$$;\' $body$;',
    'SELECT 1'
  ].join('\n')
  t.same(splitStatements(text), [
    'CREATE TABLE a (x int)',
    'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO a VALUES (1);\n  RETURN NULL;\nEND\n$$',
    'CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT \'$$;\' $body$',
    'SELECT 1'
  ])
})

t.test('the counts equal a full count after a mix of transitions', async t => {
  const runtime = await startTestRuntime(t, { manifest: MANIFEST })
  await same(t, runtime, 'an empty database')

  const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({
    name: `2024c${String(from + i).padStart(3, '0')}`, ra_deg: 10 + i, dec_deg: 1, data: { bad: (from + i) % 4 === 0 }
  }))
  await runtime.createTransients(batch(0, 40))
  await same(t, runtime, 'right after an insert of 40')
  // while runs are in flight: claims and completions commit between the checks
  for (let i = 0; i < 5; i++) await same(t, runtime, `in flight, check ${i + 1}`)
  await settled(runtime)
  await same(t, runtime, '40 settled')

  const tasks = await runtime.listTasks()
  const checkInput = tasks.find(x => x.task.name === 'Check input')!
  t.same(checkInput.counts, { processed: 30, 'bad input': 10 }, 'GET /api/v1/tasks reads them: Check input')
  t.same(tasks.find(x => x.task.name === 'Step three')!.counts, { processed: 40 })

  // The heartbeat folds too (every lease / 3) and may have folded these deltas first, or hold the
  // lock now: a delta of nothing (n = 0) gives this fold work of its own, again if the heartbeat took it
  let folded = 0
  for (let i = 0; i < 5 && folded === 0; i++) {
    await runtime.db.query(`INSERT INTO ${runtime.store.schema}.task_count_delta (task, status, n) VALUES ('Step one', 'processed', 0)`)
    folded = await runtime.store.foldCounts()
  }
  t.ok(folded > 0, 'a fold folds the deltas')
  t.equal((await bothCounts(runtime)).deltas, 0, 'and leaves none')
  await same(t, runtime, 'after a fold')

  await runtime.setEnabled('Step two', false)
  await runtime.retrigger('2024c000', 'test')
  await runtime.reprocess('2024c001', 'test')
  await runtime.resetTask('2024c002', 'Step one', { cascade: true }, 'test')
  await runtime.deleteTransient('2024c003')
  await runtime.createTransients(batch(40, 10))
  await same(t, runtime, 'after retrigger, reprocess, reset, delete and an insert, Step two disabled')
  await waitFor(async () => {
    const { counts } = await runtime.getTask('Step one')
    return counts['not processed'] === undefined && counts.processing === undefined
  }, { what: 'Step one drained' })
  t.same((await runtime.getTask('Step two')).counts['not processed'], 12, 'Step two: the 10 new, reprocessed and reset wait while disabled')
  await same(t, runtime, 'Step two waiting')

  await runtime.setEnabled('Step two', null)
  await settled(runtime)
  await runtime.store.foldCounts()
  await runtime.createTransients(batch(50, 5))
  await settled(runtime)
  await same(t, runtime, 'everything settled again, deltas on top of a fold')
  const final = await runtime.listTasks()
  t.same(final.find(x => x.task.name === 'Step one')!.counts, { processed: 54 }, '55 posted, one deleted')
  t.same(TASKS.map(name => Object.values(final.find(x => x.task.name === name)!.counts).reduce((a, b) => a + b, 0)), [54, 54, 54, 54])
})

t.test('GET /api/v1/tasks: concurrent requests share one read; a request after a change sees it', async t => {
  const { buildApi } = await import('../../runtime/api/index.ts')
  const runtime = await startTestRuntime(t, { manifest: MANIFEST })
  const app = await buildApi(runtime, { token: 'counts-test-token-0123456789' })
  t.teardown(() => app.close())
  const bodies = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: '/api/v1/tasks' })))
  t.ok(bodies.every(b => b.statusCode === 200 && b.headers['content-type'] === 'application/json; charset=utf-8'))
  t.equal(new Set(bodies.map(b => b.body)).size, 1, 'one answer')
  t.same(bodies[0]!.json().items.map((x: { name: string }) => x.name), [...TASKS.slice(0, 3), 'Check input', 'Heartbeat'])
  const patched = await app.inject({ method: 'PATCH', url: '/api/v1/tasks/Step%20two', headers: { authorization: 'Bearer counts-test-token-0123456789' }, payload: { enabled: false } })
  t.equal(patched.statusCode, 200)
  const after = (await app.inject({ method: 'GET', url: '/api/v1/tasks' })).json()
  t.equal(after.items.find((x: { name: string }) => x.name === 'Step two').enabled.effective, false, 'the next read sees the change')
})

t.test('upgrading a database that has registers: 005 counts them once', async t => {
  const { openEmbedded, openPostgres } = await import('../../runtime/database.ts')
  const { createLogger } = await import('../../runtime/logger.ts')
  const { migrate, migrations } = await import('../../runtime/migrator.ts')
  const { migrationSql, storeSql } = await import('../../runtime/sql.ts')
  const { DATABASE_URL, dropSchemas, freshSchemas } = await import('../helpers/runtime.ts')
  const { schema } = freshSchemas()
  const db = DATABASE_URL ? openPostgres(DATABASE_URL, createLogger('silent'), 1) : await openEmbedded(null)
  t.teardown(async () => { await db.close(); await dropSchemas(schema) })
  // the database as the release before 005 left it: 001–003 applied, registers written
  const m = migrationSql(schema)
  await db.query(m.createSchema)
  await db.query(m.createTable)
  for (const migration of migrations(schema).filter(x => x.version < 5)) {
    for (const statement of splitStatements(migration.sql)) await db.query(statement)
    await db.query(m.record, [migration.version, migration.name])
  }
  await db.query(`INSERT INTO ${schema}.transient (name, ra_deg, dec_deg) SELECT 'u' || g, 1, 1 FROM generate_series(1, 30) g`)
  await db.query(`INSERT INTO ${schema}.task_status (transient_id, task, status)
    SELECT t.id, k, CASE WHEN t.id % 3 = 0 THEN 'failed' ELSE 'processed' END FROM ${schema}.transient t CROSS JOIN unnest(ARRAY['A', 'B']) k`)
  t.same(await migrate(db, schema), ['005_counts.sql', '006_registers_queue.sql', '007_leaner_writes.sql', '008_complete_runs.sql', '009_transient_room.sql', '010_registers_by_status.sql'], 'the upgrade applies 005 and what follows')
  const sql = storeSql(schema)
  const sorted = (rows: Count[]) => rows.map(key).sort()
  t.same(sorted(await db.query<Count>(sql.statusCounts)), ['A / failed = 10', 'A / processed = 20', 'B / failed = 10', 'B / processed = 20'])
  t.same(sorted(await db.query<Count>(sql.statusCounts)), sorted(await db.query<Count>(sql.statusCountsScan)))
  await db.query(`DELETE FROM ${schema}.transient WHERE id <= 3`)
  t.same(sorted(await db.query<Count>(sql.statusCounts)), sorted(await db.query<Count>(sql.statusCountsScan)), 'and keeps them after')
})
