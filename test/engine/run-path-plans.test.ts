// The run path reads and writes a batch by key. Its sessions plan for a working set in memory
// (runtime/database.ts, SESSION_SETTINGS): with PostgreSQL's default random_page_cost (4) the claim,
// the locked read and the result's write of 100 registers read the whole transient and task_status
// tables when they hold some 10,000 rows, instead of their primary keys (measured: 3.9 ms → 0.5 ms
// for lockRegisters). Checked with EXPLAIN on both databases, on 6,000 transients of the chain.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { withSessionSettings } from '../../runtime/database.ts'
import { planJson } from '../../runtime/store.ts'
import { DATABASE_URL, onPostgres, startTestRuntime } from '../helpers/runtime.ts'

const manifest = fileURLToPath(new URL('../fixtures/engine/chain.yaml', import.meta.url))
const N = 6000

/** the plan's node types, depth first */
function nodes (plan: Record<string, unknown>): string[] {
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? []
  return [`${plan['Node Type']}${plan['Relation Name'] ? ` on ${plan['Relation Name']}` : ''}`, ...children.flatMap(nodes)]
}

t.test('the run path reads its batch by key, not by scanning the tables', async t => {
  // no lane claims here: the registers stay as ingested
  const runtime = await startTestRuntime(t, { manifest, claimTasks: [] })
  const { db, sql } = runtime.store
  t.same(await db.query('SHOW random_page_cost'), [{ random_page_cost: '1.1' }], 'the session plans for memory')
  for (let i = 0; i < N; i += 1000) {
    await runtime.upsertMany(Array.from({ length: 1000 }, (_, k) => ({ name: `2024pl${i + k}`, ra_deg: 1, dec_deg: 2, public_timestamp: new Date(Date.UTC(2024, 0, 1) + (i + k) * 1000).toISOString() })))
  }
  await db.query(`ANALYZE ${runtime.store.schema}.transient`)
  await db.query(`ANALYZE ${runtime.store.schema}.task_status`)
  const ids = (await db.query<{ id: number }>(`SELECT id FROM ${runtime.store.schema}.transient ORDER BY id LIMIT 100`)).map(row => row.id)
  const explain = async (text: string, params: unknown[]) => {
    // EXPLAIN without ANALYZE runs nothing: the claim plans its update and claims no register
    const [row] = await db.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(`EXPLAIN (FORMAT JSON) ${text}`, params)
    const plan = row!['QUERY PLAN']
    return nodes((typeof plan === 'string' ? JSON.parse(plan) : plan)[0].Plan)
  }
  const scans = (list: string[]) => list.filter(node => node.startsWith('Seq Scan on transient') || node.startsWith('Seq Scan on task_status'))

  // PostgreSQL keeps these statements prepared (Store): after five calls it may plan them once for
  // any parameters (a generic plan); that plan must read by key too
  const generic = async (text: string, params: unknown[]) => db.transaction(async tx => {
    await tx.query('SET LOCAL plan_cache_mode = force_generic_plan')
    await tx.query(`PREPARE run_path_plan AS ${text}`)
    try {
      const literal = params.map(p => typeof p === 'string' ? `'${p}'` : Array.isArray(p) ? `'{${p.join(',')}}'` : String(p))
      const [row] = await tx.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE run_path_plan(${literal.join(', ')})`)
      const plan = row!['QUERY PLAN']
      return nodes((typeof plan === 'string' ? JSON.parse(plan) : plan as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan)
    } finally {
      await tx.query('DEALLOCATE run_path_plan')
    }
  })
  for (const [name, params] of [['lockRegisters', [ids]], ['claimReady', ['Task A', 'w', 100]]] as const) {
    const plan = await generic(sql[name], params as unknown as unknown[])
    t.same(scans(plan), [], `${name}, generic plan: ${plan.join(', ')}`)
  }

  // kept prepared on PostgreSQL's connections; the embedded database parses each time
  const kept = await db.transaction(async tx => {
    await tx.query(sql.lockRegisters, [ids])
    return (await tx.query<{ name: string }>('SELECT name FROM pg_prepared_statements')).map(row => row.name)
  })
  t.same(kept.filter(name => name.startsWith('blast_lockRegisters_')).length, onPostgres ? 1 : 0, `prepared: ${kept.join(', ') || 'none'}`)

  const lock = await explain(sql.lockRegisters, [ids])
  t.same(scans(lock), [], `lockRegisters: ${lock.join(', ')}`)
  const claim = await explain(sql.claimReady, ['Task A', 'w', 100])
  t.same(scans(claim), [], `claimReady: ${claim.join(', ')}`)
  const updates = ids.map(id => ({ id, task: 'Task A', ready: false, status: 'processed', duration_ms: 1, set_output: false, output: null, last_error: null, attempts: null, cause: null, due_seconds: null }))
  const progress = ids.map(id => ({ id, progress: 20, processing_status: 'processing' }))
  const write = await explain(sql.writeTransition, [JSON.stringify(updates), JSON.stringify(progress), '[]', 'push'])
  t.same(scans(write), [], `writeTransition: ${write.join(', ')}`)
})

// A result's write is one call of complete_runs() (migration 008), whose statements PL/pgSQL plans
// once per connection (the function sets plan_cache_mode = force_generic_plan): each of those generic
// plans must read by key. auto_explain logs every statement the call runs, plan included, to this
// session (PostgreSQL only: it needs a superuser to LOAD, and PGlite has no auto_explain).
t.test("complete_runs' statements read by key under their generic plans", { skip: onPostgres ? false : 'PostgreSQL only (auto_explain)' }, async t => {
  const runtime = await startTestRuntime(t, { manifest, claimTasks: [] })
  const { db, schema } = runtime.store
  for (let i = 0; i < N; i += 1000) {
    await runtime.upsertMany(Array.from({ length: 1000 }, (_, k) => ({ name: `2024cr${i + k}`, ra_deg: 1, dec_deg: 2 })))
  }
  // no ANALYZE: the tables grew from empty, as on a fresh install before autovacuum looks at them
  const client = new pg.Client({ connectionString: withSessionSettings(DATABASE_URL!, ['random_page_cost=1.1']) })
  await client.connect()
  t.teardown(() => client.end())
  const plans: string[] = []
  client.on('notice', notice => { if (/duration: .* plan:/.test(notice.message ?? '')) plans.push(notice.message!) })
  const statements = new Set<string>()
  for (let round = 0; round < 3; round++) {
    await client.query('BEGIN')
    await client.query("LOAD 'auto_explain'")
    await client.query('SET LOCAL auto_explain.log_min_duration = 0')
    await client.query('SET LOCAL auto_explain.log_nested_statements = on')
    await client.query('SET LOCAL client_min_messages = log')
    const claimed = await runtime.store.claimReady('Task A', 'w', 100)
    const now = new Date().toISOString()
    const results = claimed.map(row => ({
      id: row.id, task: 'Task A', attempt: row.attempts, status: 'processed', duration_ms: 1, set_output: true, output: { n: 1 },
      error: null, stack: null, attempts: null, next_cause: null, due_seconds: null,
      transient: row.name, started_at: now, finished_at: now, worker: 'w', cause: 'push', action: null
    }))
    plans.length = 0
    // the dependents made ready are claimed too (claim_max above the batch): every statement runs
    const rows = await client.query(`SELECT * FROM ${schema}.complete_runs($1::jsonb, $2::jsonb, 'w', 'gone', $3::text[], 1000, 16)`,
      [JSON.stringify(results), planJson(runtime.plan), ['Task B', 'Task D']])
    await client.query('ROLLBACK')
    t.equal(rows.rows.filter(row => row.claimed).length, 200, `round ${round + 1}: Task B and Task D claimed on the 100 transients`)
    for (const plan of plans) {
      const text = /Query Text: ([^\n]*)/.exec(plan)?.[1]?.trim() ?? ''
      statements.add(text.slice(0, 40))
      const seq = [...plan.matchAll(/Seq Scan on (task_status|transient|run)\b/g)].map(m => m[0])
      t.same(seq, [], `round ${round + 1}, ${text.slice(0, 60)}`)
    }
  }
  t.ok(statements.size >= 6, `the call's statements were seen: ${[...statements].join(' | ')}`)
})

t.test('the settings go after the options a URL carries, and leave its other parameters', async t => {
  const url = new URL(withSessionSettings('postgres://u@db.example:5433/blast?sslmode=require&options=-c%20work_mem%3D8MB', ['random_page_cost=1.1']))
  t.equal(url.searchParams.get('options'), '-c work_mem=8MB -c random_page_cost=1.1')
  t.equal(url.searchParams.get('sslmode'), 'require')
  t.equal(`${url.protocol}//${url.username}@${url.host}${url.pathname}`, 'postgres://u@db.example:5433/blast')
  t.equal(withSessionSettings('host=/run/postgresql dbname=blast', ['random_page_cost=1.1']), 'host=/run/postgresql dbname=blast', 'a key=value string is left as given')
})
