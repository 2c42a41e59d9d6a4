// Starts a real runtime for a test: on the embedded database (in memory) by default, or on real
// PostgreSQL in fresh schemas when DATABASE_URL is set. Stopped and cleaned up on teardown.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime, type RuntimeOptions } from '../../runtime/runtime.ts'

export const DATABASE_URL = process.env.DATABASE_URL || null
export const onPostgres = DATABASE_URL !== null

interface Teardown { teardown(fn: () => unknown): void }

export function freshSchemas (): { schema: string; bossSchema: string } {
  const id = randomBytes(4).toString('hex')
  return { schema: `t_${id}`, bossSchema: `t_${id}_boss` }
}

export async function dropSchemas (...schemas: string[]): Promise<void> {
  if (!DATABASE_URL) return
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

export async function startTestRuntime (t: Teardown, options: Partial<RuntimeOptions> & { manifest: string }): Promise<Runtime> {
  const schemas = freshSchemas()
  const runtime = await Runtime.start({
    databaseUrl: DATABASE_URL,
    dataDir: null,
    ...schemas,
    logger: createLogger(process.env.TEST_LOG_LEVEL || 'silent'),
    shutdownGraceSeconds: 2,
    ...options
  })
  t.teardown(async () => {
    await runtime.stop()
    await dropSchemas(options.schema ?? schemas.schema, options.bossSchema ?? schemas.bossSchema)
  })
  return runtime
}

/** polls until fn returns a truthy value; throws with the last value after timeoutMs */
export async function waitFor<T> (fn: () => Promise<T> | T, { timeoutMs = 20000, intervalMs = 25, what = 'condition' } = {}):
Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const end = Date.now() + timeoutMs
  let last: T
  for (;;) {
    last = await fn()
    if (last) return last as Exclude<T, false | 0 | '' | null | undefined>
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}
