// Where a benchmark runs: PostgreSQL from DATABASE_URL, else the embedded database in a temporary
// folder. Every run gets fresh schemas (bench_<random>) or a fresh folder, removed afterwards.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export const DATABASE_URL = process.env.DATABASE_URL || null
export const onPostgres = DATABASE_URL !== null
export const DATABASE = onPostgres ? 'postgres' : 'embedded'

export function freshSchemas (): { schema: string; bossSchema: string } {
  const id = randomBytes(4).toString('hex')
  return { schema: `bench_${id}`, bossSchema: `bench_${id}_boss` }
}

export function tempDir (prefix: string): string {
  return mkdtempSync(join(tmpdir(), `blast-bench-${prefix}-`))
}

export function removeDir (dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

export async function withClient<T> (fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL!, application_name: 'blast-bench' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function dropSchemas (...schemas: string[]): Promise<void> {
  if (!onPostgres) return
  await withClient(async client => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  })
}

/** what the results were measured on */
export async function machine (): Promise<Record<string, unknown>> {
  const info: Record<string, unknown> = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    database: DATABASE
  }
  const pkg = (name: string) => {
    try {
      return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version as string
    } catch {
      return 'unknown'
    }
  }
  info.pgBoss = pkg('pg-boss')
  info.pglite = pkg('@electric-sql/pglite')
  info.fastify = pkg('fastify')
  info.autocannon = pkg('autocannon')
  if (onPostgres) {
    info.postgres = await withClient(async client => (await client.query('SHOW server_version')).rows[0].server_version)
  }
  return info
}
