// Counts in constant time (migration 005), measured on PostgreSQL (DATABASE_URL): N transients × 4
// tasks loaded in a scratch schema, then the kept-count read against a full count, the fold, and a
// 500-register transition with and without the triggers. Not a bench scenario: run by hand,
//   DATABASE_URL=postgres://… npx node bench/counts.ts 1000000 > bench/results/counts.txt
import { openPostgres } from '../runtime/database.ts'
import { createLogger } from '../runtime/logger.ts'
import { migrate } from '../runtime/migrator.ts'
import { storeSql } from '../runtime/sql.ts'
const s = 'i13_counts_measure'
const db = await openPostgres(process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test', createLogger('silent'), 1)
await db.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
await migrate(db, s)
const N = Number(process.argv[2] ?? 1000000)
let t0 = performance.now()
await db.query(`INSERT INTO ${s}.transient (name, ra_deg, dec_deg) SELECT 't' || g, 1, 1 FROM generate_series(1, ${N}) g`)
await db.query(`INSERT INTO ${s}.task_status (transient_id, task, status) SELECT t.id, k, CASE WHEN t.id % 10 = 0 THEN 'failed' WHEN t.id % 3 = 0 THEN 'not processed' ELSE 'processed' END FROM ${s}.transient t CROSS JOIN unnest(ARRAY['Step one','Step two','Step three','Check input']) k`)
console.log('transients', N, 'registers', N * 4)
console.log('load ms', Math.round(performance.now() - t0))
await db.query(`ANALYZE ${s}.task_status`)
const sql = storeSql(s)
const time = async (q: string, n: number) => { const ts: number[] = []; for (let i = 0; i < n; i++) { const a = performance.now(); await db.query(q); ts.push(performance.now() - a) } ts.sort((a, b) => a - b); return ts[Math.floor(ts.length / 2)].toFixed(2) }
console.log('deltas before fold', (await db.query(`SELECT count(*)::int n FROM ${s}.task_count_delta`))[0])
console.log('kept (unfolded) median ms', await time(sql.statusCounts, 20))
t0 = performance.now(); await db.query(sql.foldCounts); console.log('fold ms', Math.round(performance.now() - t0))
console.log('kept (folded) median ms', await time(sql.statusCounts, 50))
console.log('full scan median ms', await time(sql.statusCountsScan, 3))
// the same transition without the triggers, rolled back
await db.transaction(async tx => {
  await tx.query(`ALTER TABLE ${s}.task_status DISABLE TRIGGER USER`)
  const a = performance.now()
  await tx.query(`UPDATE ${s}.task_status SET status = 'processing' WHERE task = 'Step one' AND transient_id IN (SELECT id FROM ${s}.transient WHERE id % 3 = 0 LIMIT 500)`)
  console.log('500-row transition without the triggers ms', (performance.now() - a).toFixed(1))
  await tx.query('SELECT 1/0') // rolls back
}).catch(() => {})
// a claim-like transition of 500 registers with the triggers on
t0 = performance.now(); await db.query(`UPDATE ${s}.task_status SET status = 'processing' WHERE task = 'Step one' AND transient_id IN (SELECT id FROM ${s}.transient WHERE id % 3 = 0 LIMIT 500)`); console.log('500-row transition ms', (performance.now() - t0).toFixed(1))
console.log('equal', JSON.stringify((await db.query(sql.statusCounts)).sort((a: any, b: any) => (a.task + a.status).localeCompare(b.task + b.status))) === JSON.stringify((await db.query(sql.statusCountsScan)).sort((a: any, b: any) => (a.task + a.status).localeCompare(b.task + b.status))))
await db.query(`DROP SCHEMA ${s} CASCADE`)
await db.close()
