// Numbered SQL migrations in runtime/migrations/, applied in order under an advisory lock so that
// several processes starting at once on one database apply each exactly once.
import { readdirSync, readFileSync } from 'node:fs'
import type { Db } from './database.ts'
import { migrationSql } from './sql.ts'

const DIR = new URL('./migrations/', import.meta.url)

export interface Migration { version: number; name: string; sql: string }

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
    const applied: string[] = []
    for (const migration of migrations(schema)) {
      if (done.has(migration.version)) continue
      for (const statement of splitStatements(migration.sql)) await tx.query(statement)
      await tx.query(sql.record, [migration.version, migration.name])
      applied.push(migration.name)
    }
    return applied
  })
}

// Our migrations hold no function bodies, so statements end at a semicolon that ends a line.
function splitStatements (text: string): string[] {
  return text
    .split(/;\s*$/m)
    .map(part => part.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean)
}
