// Numbered SQL migrations in runtime/migrations/, applied in order under an advisory lock so that
// several processes starting at once on one database apply each exactly once. Migrations only go
// forward: a database that records a version this release does not ship was upgraded by a newer
// release, and is refused rather than run by code that does not know its tables.
import { readdirSync, readFileSync } from 'node:fs'
import type { Db, Queryable } from './database.ts'
import { BlastDatabaseNewer } from './errors.ts'
import { migrationSql } from './sql.ts'

const DIR = new URL('./migrations/', import.meta.url)

export interface Migration { version: number; name: string; sql: string }

export interface MigrationState {
  readonly version: number
  readonly name: string
  /** when it was applied; null while pending */
  readonly appliedAt: Date | null
  /** applied by a newer release: this one does not ship it */
  readonly unknown: boolean
}

export function migrations (schema: string): Migration[] {
  return readdirSync(DIR)
    .filter(file => /^\d+_[\w-]+\.sql$/.test(file))
    .sort()
    .map(file => ({
      version: Number(file.split('_')[0]),
      name: file,
      sql: readFileSync(new URL(file, DIR), 'utf8').replaceAll('{{schema}}', schema)
    }))
}

/** applies what is missing; returns the names applied */
export async function migrate (db: Db, schema: string): Promise<string[]> {
  const sql = migrationSql(schema)
  return db.transaction(async tx => {
    await tx.query(sql.lock, [`blast-tasks:${schema}`])
    await tx.query(sql.createSchema)
    await tx.query(sql.createTable)
    const done = new Set((await tx.query<{ version: number }>(sql.applied)).map(row => row.version))
    const known = migrations(schema)
    refuseNewer(schema, [...done], known)
    const applied: string[] = []
    for (const migration of known) {
      if (done.has(migration.version)) continue
      for (const statement of splitStatements(migration.sql)) await tx.query(statement)
      await tx.query(sql.record, [migration.version, migration.name])
      applied.push(migration.name)
    }
    return applied
  })
}

/** every migration this release ships and every one the database records, by version; changes nothing */
export async function migrationStates (db: Queryable, schema: string): Promise<MigrationState[]> {
  const sql = migrationSql(schema)
  const [{ exists } = { exists: false }] = await db.query<{ exists: boolean }>(sql.exists)
  const rows = exists ? await db.query<{ version: number; name: string; applied_at: Date | string }>(sql.list) : []
  const applied = new Map(rows.map(row => [row.version, row]))
  const states = new Map<number, MigrationState>()
  for (const m of migrations(schema)) {
    const row = applied.get(m.version)
    states.set(m.version, { version: m.version, name: m.name, appliedAt: row ? new Date(row.applied_at) : null, unknown: false })
  }
  for (const row of rows) {
    if (!states.has(row.version)) states.set(row.version, { version: row.version, name: row.name, appliedAt: new Date(row.applied_at), unknown: true })
  }
  return [...states.values()].sort((a, b) => a.version - b.version)
}

function refuseNewer (schema: string, done: number[], known: Migration[]): void {
  const versions = new Set(known.map(m => m.version))
  const newer = done.filter(v => !versions.has(v)).sort((a, b) => a - b)
  if (newer.length === 0) return
  const latest = known.at(-1)?.version ?? 0
  throw new BlastDatabaseNewer(`the database (schema ${schema}) has migration(s) ${newer.join(', ')}, newer than this release ` +
    `of blast-tasks knows (latest ${latest}): it was upgraded by a newer release. Run that release; migrations only go forward ` +
    '(docs/upgrading.md)')
}

// A statement ends at a semicolon that ends a line, outside a dollar-quoted body ($$ … $$ or
// $tag$ … $tag$): a function body (005_counts.sql) holds semicolons of its own. Comment lines are
// left out of the scan, so a `$$` or `;` in a comment changes nothing.
export function splitStatements (text: string): string[] {
  const statements: string[] = []
  let current: string[] = []
  let quote: string | null = null
  for (const line of text.split('\n')) {
    current.push(line)
    if (/^\s*--/.test(line)) continue
    for (const [tag] of line.matchAll(/\$[A-Za-z_]*\$/g)) {
      if (quote === null) quote = tag
      else if (tag === quote) quote = null
    }
    if (quote === null && /;\s*$/.test(line)) {
      statements.push(current.join('\n').replace(/;\s*$/, ''))
      current = []
    }
  }
  statements.push(current.join('\n'))
  return statements.map(part => part.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean)
}
