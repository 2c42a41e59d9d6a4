// What the PostgreSQL server spent on a measured window, statement by statement, from
// pg_stat_statements: a snapshot before and one after, the difference kept for the statements that
// name the round's schemas (each round has fresh ones), nested statements included (those a
// database function runs). Only where the extension is installed in the database with
// pg_stat_statements.track = all (it needs shared_preload_libraries and a restart: see
// docs/performance.md); elsewhere the window reads null.
import pg from 'pg'

export interface ServerStatement { statement: string; totalMs: number; calls: number; rows: number; nested: boolean }

interface Row { queryid: string; toplevel: boolean; query: string; calls: string; total_exec_time: number; rows: string }

async function snapshot (client: pg.Client, schemas: readonly string[]): Promise<Map<string, Row> | null> {
  const { rows: [setting] } = await client.query<{ ok: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AND current_setting('pg_stat_statements.track', true) = 'all' AS ok`)
  if (!setting?.ok) return null
  const { rows } = await client.query<Row>(
    `SELECT queryid::text, toplevel, query, calls::text, total_exec_time, rows::text FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~ $1`,
    [schemas.map(s => s.replace(/\W/g, '')).join('|')])
  return new Map(rows.map(row => [`${row.queryid} ${row.toplevel}`, row]))
}

/** starts a window on the statements naming `schemas`; call the result to read it, slowest first */
export async function serverStatementsWindow (connectionString: string, schemas: readonly string[]): Promise<() => Promise<ServerStatement[] | null>> {
  const client = new pg.Client({ connectionString, application_name: 'blast-bench-statements' })
  await client.connect()
  let before: Map<string, Row> | null
  try {
    before = await snapshot(client, schemas)
  } catch (err) {
    await client.end()
    throw err
  }
  return async () => {
    try {
      if (!before) return null
      const after = await snapshot(client, schemas)
      if (!after) return null
      const byText = new Map<string, ServerStatement>()
      for (const [key, row] of after) {
        const was = before.get(key)
        const calls = Number(row.calls) - Number(was?.calls ?? 0)
        if (calls <= 0) continue
        // the round's schema names out, the text on one line: the same statement in every round reads the same
        let text = row.query
        for (const schema of [...schemas].sort((a, b) => b.length - a.length)) text = text.replaceAll(schema, schema.endsWith('_boss') ? '<boss>' : '<schema>')
        text = text.replace(/\s+/g, ' ').trim()
        const entry = byText.get(`${row.toplevel} ${text}`) ?? { statement: text, totalMs: 0, calls: 0, rows: 0, nested: !row.toplevel }
        entry.totalMs += row.total_exec_time - (was?.total_exec_time ?? 0)
        entry.calls += calls
        entry.rows += Number(row.rows) - Number(was?.rows ?? 0)
        byText.set(`${row.toplevel} ${text}`, entry)
      }
      return [...byText.values()].sort((a, b) => b.totalMs - a.totalMs)
    } finally {
      await client.end()
    }
  }
}
