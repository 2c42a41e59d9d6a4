// Upgrades: `blast-tasks migrations` lists what the database has applied and what is pending,
// without migrating; a database that a newer release migrated is refused, by the migrator at start
// and by the listing. On the embedded database in a temporary folder, or on PostgreSQL in a fresh
// schema when DATABASE_URL is set.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import t from 'tap'
import { main, type Io } from '../../runtime/cli.ts'
import { openEmbedded, openPostgres, type Db } from '../../runtime/database.ts'
import { createLogger } from '../../runtime/logger.ts'
import { migrate, migrations } from '../../runtime/migrator.ts'
import { DATABASE_URL, dropSchemas, freshSchemas } from '../helpers/runtime.ts'
import { tempDir } from '../fixtures/engine/harness.ts'

const { schema } = freshSchemas()
const dataDir = tempDir(t, 'blast-migrations-')
const saved = { BLAST_DATA_DIR: process.env.BLAST_DATA_DIR, BLAST_SCHEMA: process.env.BLAST_SCHEMA }
process.env.BLAST_DATA_DIR = dataDir
process.env.BLAST_SCHEMA = schema
t.teardown(async () => {
  for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name]; else process.env[name] = value
  await dropSchemas(schema)
})

const open = (): Promise<Db> | Db => DATABASE_URL ? openPostgres(DATABASE_URL, createLogger('silent'), 1) : openEmbedded(dataDir)

async function cli (...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: Io = { out: text => { out += `${text}\n` }, err: text => { err += `${text}\n` } }
  const code = await main(['migrations', ...args], io)
  return { code, out, err }
}

const shipped = migrations(schema)

t.test('before the first start every migration is pending, and listing creates nothing', async t => {
  if (DATABASE_URL) {
    // listing reads an absent schema without creating it
    const first = await cli('--json')
    t.equal(first.code, 0, first.err)
    t.same(JSON.parse(first.out).migrations.map((m: { state: string }) => m.state), shipped.map(() => 'pending'))
    const db = await open()
    const [row] = await db.query<{ exists: boolean }>('SELECT to_regnamespace($1) IS NOT NULL AS exists', [schema])
    await db.close()
    t.equal(row!.exists, false, 'the schema was not created')
  } else {
    const first = await cli()
    t.equal(first.code, 0, first.err)
    t.match(first.out, /\(not created yet\)/)
    t.match(first.out, /001 {2}001_initial\.sql +pending \(applied at next start\)/)
  }
})

t.test('after migrate every shipped migration is listed as applied, with its time', async t => {
  const db = await open()
  t.same(await migrate(db, schema), shipped.map(m => m.name), 'the first migrate applies every shipped migration')
  t.same(await migrate(db, schema), [], 'the second applies nothing')
  await db.close()
  const listed = await cli('--json')
  t.equal(listed.code, 0, listed.err)
  const body = JSON.parse(listed.out) as { migrations: Array<{ version: number; name: string; state: string; applied_at: string | null }> }
  t.same(body.migrations.map(m => [m.version, m.name, m.state]), shipped.map(m => [m.version, m.name, 'applied']))
  t.ok(body.migrations.every(m => m.applied_at !== null && !Number.isNaN(Date.parse(m.applied_at))), 'each has its applied_at')
})

t.test('a database migrated by a newer release is refused, and the listing says so', async t => {
  const db = await open()
  await db.query(`INSERT INTO ${schema}.migration (version, name) VALUES (999, '999_from_the_future.sql')`)
  await t.rejects(migrate(db, schema), {
    code: 'BLAST_DATABASE_NEWER',
    message: new RegExp(`has migration\\(s\\) 999, newer than this release of blast-tasks knows \\(latest ${shipped.at(-1)!.version}\\)`)
  }, 'the migrator refuses to run it')
  const [{ count } = { count: 0 }] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${schema}.migration`)
  t.equal(count, shipped.length + 1, 'and changes nothing')
  await db.close()
  const listed = await cli()
  t.equal(listed.code, 1, 'exit code 1')
  t.match(listed.out, /999 {2}999_from_the_future\.sql +applied by a newer release/)
  t.match(listed.out, /BLAST_DATABASE_NEWER/)
})

// Forward only: a shipped migration is never edited or renumbered (a database that applied it would
// not see the change); a change is a new file, added here with its hash when it ships.
const SHIPPED: Readonly<Record<string, string>> = {
  '001_initial.sql': '41ca1ce7cd639ac708d467d888fbfbd2c296d8142e9c57926c29cc646b24a231',
  '002_retention.sql': 'd9dc7f82a8bee3ffe646077d62899777049d378c6aa8dbda87e2e07345c57c43',
  '003_transient_order.sql': 'b5398814ff864ebc31751cb738143323e2139cb1d18f8be26d232cf4799fba85',
  '004_system_runs.sql': '1733befd56ec754427585e3819d7ef051cf50bfa02af8746ffdaef3a4bd4614a',
  '005_counts.sql': '96c531bb8560e2f1af74ba274b79c8975b10139174600315dabb0f4f25ba7abf',
  '006_registers_queue.sql': '8da45ed9625f45a5aa0769b87d1389d60b6a6fa0054696fc929154b945097b73',
  '007_leaner_writes.sql': '6d5ea32f1b1266797a87f66ff7ab6359f7e4ab5902a3bf692f330cf22b61a098',
  '008_complete_runs.sql': '4467dc7bb2a670b38f9374227b206f4e27887a5e377ba25e30d5a9cc7596c799',
  '009_transient_room.sql': '462180b283d540645c5f4ae359bd45d2fceae7bdf5bed2a16f02ea6253c31ce6',
  '010_registers_by_status.sql': 'efa10dfce02f1b64ab01cc108c8062788ba4cdc6e3f5c654bea4e1abb33c1eaf'
}

t.test('shipped migrations are unchanged, numbered in sequence, and every file is known', async t => {
  const dir = new URL('../../runtime/migrations/', import.meta.url)
  const files = readdirSync(dir).filter(file => file.endsWith('.sql')).sort()
  t.same(files, Object.keys(SHIPPED).sort(), 'a new migration is added to SHIPPED when it ships')
  files.forEach((file, i) => t.match(file, new RegExp(`^${String(i + 1).padStart(3, '0')}_[\\w-]+\\.sql$`), `${file} is number ${i + 1}`))
  for (const file of files) {
    const hash = createHash('sha256').update(readFileSync(new URL(file, dir))).digest('hex')
    t.equal(hash, SHIPPED[file], `${file} is as shipped (edit nothing; write a new migration)`)
  }
})
