// `blast-tasks migrations`: which schema migrations the database has applied and which this
// release would apply at its next start. Reads only: it never migrates.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Io } from './io.ts'
import { EXIT, usageError } from './io.ts'
import { openEmbedded, openPostgres, type Db } from '../database.ts'
import { createLogger } from '../logger.ts'
import { displayPath } from '../manifest/diagnostics.ts'
import { migrationStates, migrations, type MigrationState } from '../migrator.ts'
import { loadSettings } from '../settings.ts'

export const usage = `usage: blast-tasks migrations [--json]

Lists the schema migrations of blast-tasks: each one the database has applied (with when) and each
one this release would apply at its next start (pending). Changes nothing. Migrations only go
forward; a migration the database has but this release does not know means a newer release
upgraded it (exit code 1).

The database is DATABASE_URL's (schema BLAST_SCHEMA), else the embedded one in BLAST_DATA_DIR,
which must not be held by a running runtime.

options:
  --json      print the list as JSON
  -h, --help  this help`

export async function run (args: string[], io: Io): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } }))
  } catch (error) {
    io.err(usageError('migrations', usage, error))
    return EXIT.usage
  }
  const settings = loadSettings()
  let states: MigrationState[]
  let where: string
  if (settings.databaseUrl) {
    where = `PostgreSQL (schema ${settings.schema})`
    const db = openPostgres(settings.databaseUrl, createLogger('silent'), 1)
    states = await read(db, settings.schema, where)
  } else if (!existsSync(join(settings.dataDir, 'pgdata'))) {
    where = `the embedded database in ${displayPath(settings.dataDir)} (not created yet)`
    states = migrations(settings.schema).map(m => ({ version: m.version, name: m.name, appliedAt: null, unknown: false }))
  } else {
    where = `the embedded database in ${displayPath(settings.dataDir)}`
    let db: Db
    try {
      db = await openEmbedded(settings.dataDir)
    } catch (error) {
      if ((error as { code?: string }).code !== 'BLAST_DATA_DIR_LOCKED') throw error
      io.err(`blast-tasks migrations: ${(error as Error).message}\nstop the runtime to read its embedded database (at start it logs the migrations it applies)`)
      return EXIT.failed
    }
    states = await read(db, settings.schema, where)
  }
  const unknown = states.filter(s => s.unknown)
  if (values.json) {
    io.out(JSON.stringify({
      database: where,
      migrations: states.map(s => ({ version: s.version, name: s.name, state: s.unknown ? 'unknown' : s.appliedAt ? 'applied' : 'pending', applied_at: s.appliedAt?.toISOString() ?? null }))
    }, null, 2))
  } else {
    io.out(`migrations of ${where}:`)
    for (const s of states) {
      const state = s.unknown ? 'applied by a newer release' : s.appliedAt ? `applied ${s.appliedAt.toISOString()}` : 'pending (applied at next start)'
      io.out(`  ${String(s.version).padStart(3, '0')}  ${s.name.padEnd(24)}  ${state}`)
    }
    if (unknown.length) io.out('BLAST_DATABASE_NEWER this release cannot run this database; run the release that upgraded it (docs/upgrading.md)')
  }
  return unknown.length ? EXIT.failed : EXIT.ok
}

async function read (db: Db, schema: string, where: string): Promise<MigrationState[]> {
  try {
    return await migrationStates(db, schema)
  } catch (error) {
    throw new Error(`cannot read the migrations of ${where}: ${(error as Error).message}`, { cause: error })
  } finally {
    await db.close().catch(() => {})
  }
}
