// `blast-tasks start` that cannot start says why in one line on stderr, naming the setting and what
// is allowed, and ends with an exit code a supervisor can act on: 78 for a setting (restarting will
// not help), 69 for something unavailable (the database, the port, the data dir). A port in use ends
// the process: it never runs tasks without the API it was asked to serve. On the embedded database by
// default; with DATABASE_URL the port and database cases run on PostgreSQL.
import t from 'tap'
import type { Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { EXIT } from '../../runtime/commands/io.ts'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { DATABASE_URL, dropSchemas, freshSchemas, onPostgres } from '../helpers/runtime.ts'
import { FIXTURES, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const ROOT = join(FIXTURES, '../../..')
const MANIFEST = `version: 1
tasks:
  - { name: Step, plugin: "{{plugins}}/behave.ts" }
`

interface Ended { code: number | null; stdout: string; stderr: string }

async function start (t: Test, env: NodeJS.ProcessEnv): Promise<Ended> {
  const dir = tempDir(t)
  const base: NodeJS.ProcessEnv = { ...process.env, BLAST_MANIFEST: writeManifest(dir, MANIFEST), BLAST_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' }
  for (const name of ['DATABASE_URL', 'PORT', 'HOST', 'BLAST_SCHEMA', 'BLAST_BOSS_SCHEMA', 'BLAST_API_TOKEN']) delete base[name]
  const child = spawn(process.execPath, [join(ROOT, 'runtime/cli.ts'), 'start', '--no-watch'], { cwd: dir, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += chunk })
  child.stderr.on('data', chunk => { stderr += chunk })
  const [code] = await once(child, 'exit') as [number | null]
  return { code, stdout, stderr }
}

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

function oneLine (t: Test, ended: Ended, line: string | RegExp): void {
  t.equal(ended.stderr.split('\n').length, 2, `one line on stderr: ${ended.stderr}`)
  t.match(ended.stderr, line)
  t.notMatch(ended.stderr + ended.stdout, /\n\s+at /, 'no stack trace')
}

t.test('a setting with a value it does not accept: one line naming it and what is allowed, exit 78', async t => {
  const cases: Array<[NodeJS.ProcessEnv, string]> = [
    [{ PORT: 'abc' }, 'blast-tasks: BLAST_SETTING_INVALID PORT="abc" is not an integer from 0 to 65535\n'],
    [{ PORT: '70000' }, 'blast-tasks: BLAST_SETTING_INVALID PORT="70000" is not an integer from 0 to 65535\n'],
    [{ LOG_LEVEL: 'loud' }, 'blast-tasks: BLAST_SETTING_INVALID LOG_LEVEL="loud" is not a log level; allowed: fatal, error, warn, info, debug, trace, silent\n'],
    [{ BLAST_LEASE_SECONDS: '1' }, 'blast-tasks: BLAST_SETTING_INVALID BLAST_LEASE_SECONDS="1" is not an integer from 3 to 3600\n'],
    [{ DATABASE_URL: 'http://user:secret@db/blast' }, 'blast-tasks: BLAST_SETTING_INVALID DATABASE_URL="http://user:***@db/blast" is not a PostgreSQL URL; allowed: postgres://user:password@host:port/database, or unset for the embedded database in BLAST_DATA_DIR\n']
  ]
  for (const [env, line] of cases) {
    const ended = await start(t, env)
    t.equal(ended.code, EXIT.config, `${JSON.stringify(env)}: exit ${EXIT.config}`)
    t.equal(ended.stderr, line)
    t.notMatch(ended.stdout, /\n\s+at /, 'no stack trace')
  }
})

t.test('an unreachable DATABASE_URL: one line without the password, exit 69', async t => {
  const port = await freePort()
  const ended = await start(t, { DATABASE_URL: `postgres://someone:secret@127.0.0.1:${port}/blast` })
  t.equal(ended.code, EXIT.unavailable)
  oneLine(t, ended, `blast-tasks: BLAST_DATABASE_UNAVAILABLE cannot connect to DATABASE_URL=postgres://someone:***@127.0.0.1:${port}/blast: connect ECONNREFUSED 127.0.0.1:${port}; check its host, port, database and credentials, or unset it for the embedded database\n`)
  t.notMatch(ended.stderr, 'secret', 'the password is not printed')
})

t.test('an unknown database on a running server: one line, exit 69', { skip: !onPostgres && 'needs DATABASE_URL' }, async t => {
  const url = new URL(DATABASE_URL!)
  url.pathname = '/blast_no_such_database'
  const ended = await start(t, { DATABASE_URL: url.toString() })
  t.equal(ended.code, EXIT.unavailable)
  oneLine(t, ended, /^blast-tasks: BLAST_DATABASE_UNAVAILABLE cannot connect to DATABASE_URL=postgres:.*\/blast_no_such_database: database "blast_no_such_database" does not exist; /)
})

t.test('a port in use: one line, and the process ends with 69 rather than run without its API', async t => {
  const taken = createServer().listen(0, '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => taken.close())
  const { port } = taken.address() as { port: number }
  const schemas = freshSchemas()
  t.teardown(() => dropSchemas(schemas.schema, schemas.bossSchema))
  const env: NodeJS.ProcessEnv = { PORT: String(port), HOST: '127.0.0.1' }
  if (onPostgres) Object.assign(env, { DATABASE_URL, BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema })
  const ended = await start(t, env)
  t.equal(ended.code, EXIT.unavailable)
  oneLine(t, ended, `blast-tasks: BLAST_PORT_UNAVAILABLE PORT=${port} on HOST=127.0.0.1 is in use by another process; stop it, choose another PORT, or start with --no-api\n`)
})

t.test('an embedded data dir in use: one line naming the holder, exit 69', async t => {
  const dir = tempDir(t)
  const dataDir = join(dir, 'data')
  const holder = await Runtime.start({ manifest: writeManifest(dir, MANIFEST), databaseUrl: null, dataDir, logger: createLogger('silent') })
  t.teardown(() => holder.stop())
  const ended = await start(t, { BLAST_DATA_DIR: dataDir, PORT: String(await freePort()) })
  t.equal(ended.code, EXIT.unavailable)
  oneLine(t, ended, `blast-tasks: BLAST_DATA_DIR_LOCKED the embedded database in ${dataDir} is in use by process ${process.pid}`)
})

t.test('another manifest live on the database: one line naming the live process, exit 78', { skip: !onPostgres && 'needs DATABASE_URL' }, async t => {
  const dir = tempDir(t)
  const schemas = freshSchemas()
  t.teardown(() => dropSchemas(schemas.schema, schemas.bossSchema))
  const other = writeManifest(dir, `${MANIFEST}  - { name: Other, plugin: "{{plugins}}/behave.ts" }\n`)
  const live = await Runtime.start({ manifest: other, databaseUrl: DATABASE_URL, ...schemas, logger: createLogger('silent'), shutdownGraceSeconds: 1 })
  t.teardown(() => live.stop())
  const ended = await start(t, { DATABASE_URL: DATABASE_URL!, BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema, PORT: String(await freePort()) })
  t.equal(ended.code, EXIT.config)
  oneLine(t, ended, `blast-tasks: BLAST_MANIFEST_CONFLICT this manifest differs from the one the cluster runs in "Other" (only in the cluster's); live processes: ${live.workerId} (host `)
})
