// `blast-tasks run` and `blast-tasks plan` as a task author runs them: real processes against the
// database a runtime left behind (the embedded one in a data dir, or PostgreSQL schemas). Without
// --commit nothing is written; with it the result is recorded like a worker's.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { main, type Io } from '../../runtime/cli.ts'
import { openEmbedded, openPostgres, type Db } from '../../runtime/database.ts'
import { createLogger } from '../../runtime/logger.ts'
import { DATABASE_URL, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const CLI = join(REPO, 'runtime', 'cli.ts')
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

const dir = await mkdtemp(join(tmpdir(), 'blast-cli-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
for (const name of ['base.yaml', 'candidate.yaml', 'plugins']) await cp(join(FIXTURES, name), join(dir, name), { recursive: true })
const dataDir = join(dir, '.blast')

// A runtime applies base.yaml and runs three transients, then stops: the database stays behind.
const runtime = await startTestRuntime(t, { manifest: join(dir, 'base.yaml'), dataDir: onPostgres ? null : dataDir })
const schema = runtime.store.schema
await runtime.createTransients([
  { name: 'a', ra_deg: 1, dec_deg: 1 },
  { name: 'b', ra_deg: 2, dec_deg: 2, data: { fail: 'Match' } },
  { name: 'c', ra_deg: 3, dec_deg: 3, data: { status: { Validate: 'no host match' } } }
])
await waitFor(async () => {
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(name => runtime.getTransient(name)))
  const status = (d: typeof a, task: string) => d.tasks.find(r => r.task === task)?.status
  return status(a, 'Offset') === 'processed' && status(a, 'Busy') === 'processed' && status(b, 'Match') === 'failed' &&
    status(b, 'Busy') === 'processed' && status(c, 'Validate') === 'no host match'
}, { what: 'base.yaml settled' })
await runtime.stop()

const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  BLAST_MANIFEST: join(dir, 'base.yaml'),
  PORT: '1', // nothing listens there: the commands must not need an API here
  BLAST_SCHEMA: schema,
  ...(onPostgres ? { DATABASE_URL: DATABASE_URL! } : { BLAST_DATA_DIR: dataDir })
}

function cli (...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise(resolve => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, env }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out, err })
    })
  })
}

/** what a run could have written: every register and the run history */
async function snapshot (): Promise<{ registers: unknown[]; runs: number }> {
  const db: Db = onPostgres ? openPostgres(DATABASE_URL!, createLogger('silent'), 1) : await openEmbedded(dataDir)
  try {
    const registers = await db.query(`SELECT t.name, ts.task, ts.status, ts.attempts, ts.output, ts.updated_at FROM ${schema}.task_status ts
      JOIN ${schema}.transient t ON t.id = ts.transient_id ORDER BY 1, 2`)
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.run`)
    return { registers, runs: n }
  } finally {
    await db.close()
  }
}

t.test('run prints the result and writes nothing', async t => {
  const before = await snapshot()
  const ok = await cli('run', 'Class', '--transient', 'a', '--manifest', 'candidate.yaml')
  t.equal(ok.code, 0, ok.err)
  t.match(ok.out, /^Class on a: processed \(success\) in [\d.]+ ms\n/, 'a task the database does not run yet: the manifest on disk decides')
  t.match(ok.out, /"parents": \[\n\s+"Busy",\n\s+"Distance",\n\s+"Match",\n\s+"Offset",\n\s+"Validate"\n\s+\]/, 'it saw the stored outputs of the other tasks')
  t.match(ok.out, /nothing was written \(--commit records the result\)\n$/)
  t.match(ok.err, /^\[info\] Class on a, attempt 1$/m, 'the plugin logs to stderr')

  const threw = await cli('run', 'Match', '--transient', 'b', '--json')
  t.equal(threw.code, 1, 'a throw exits 1')
  const result = JSON.parse(threw.out)
  t.match(result, { task: 'Match', transient: 'b', status: 'failed', type: 'error', output: null, error: 'Match failed on purpose', committed: false })
  t.match(result.stack, /plugins\/step\.ts:\d+/, 'with the stack into the plugin')
  t.type(result.duration_ms, 'number')

  const missing = await cli('run', 'Validate', '--transient', 'nope')
  t.equal(missing.code, 1)
  t.match(missing.err, /transient "nope" does not exist in (PostgreSQL|the embedded database)/)
  t.same(await snapshot(), before, 'no register and no run history changed')
})

t.test('run --commit records the result like a worker', async t => {
  const before = await snapshot()
  const refused = await cli('run', 'Class', '--transient', 'a', '--manifest', 'candidate.yaml', '--commit')
  t.equal(refused.code, 1)
  t.match(refused.err, /--commit: the database does not run "Class" yet; let the runtime apply the manifest first/)
  t.notMatch(refused.err, /\[info\]/, 'refused before the plugin ran')

  const done = await cli('run', 'Sleepy', '--transient', 'a', '--commit')
  t.equal(done.code, 0, done.err)
  t.match(done.out, /committed: "Sleepy" of a is now "processed" \(run history: cause cli\)/)
  const after = await snapshot()
  t.equal(after.runs, before.runs + 1, 'one run history row')
  const sleepy = (after.registers as Array<{ name: string; task: string; status: string; attempts: number; output: unknown }>)
    .find(r => r.name === 'a' && r.task === 'Sleepy')
  t.match(sleepy, { status: 'processed', attempts: 1, output: { task: 'Sleepy' } })

  const db: Db = onPostgres ? openPostgres(DATABASE_URL!, createLogger('silent'), 1) : await openEmbedded(dataDir)
  t.teardown(() => db.close())
  const [run] = await db.query(`SELECT transient, task, status, cause, action, worker FROM ${schema}.run ORDER BY id DESC LIMIT 1`)
  t.match(run, { transient: 'a', task: 'Sleepy', status: 'processed', cause: 'cli', action: 'blast-tasks run --commit', worker: /^cli:/ })
  const [progress] = await db.query(`SELECT progress, processing_status FROM ${schema}.transient WHERE name = 'a'`)
  t.same(progress, { progress: 100, processing_status: 'completed' }, 'progress re-evaluated in the same transition')
})

t.test('plan compares a manifest with the database', async t => {
  const text = await cli('plan', 'candidate.yaml')
  t.equal(text.code, 0, text.err)
  t.match(text.out, /^candidate\.yaml against (PostgreSQL \(schema \w+\)|the embedded database in \.blast) \(3 transients\):\n/)
  t.match(text.out, /\n {2}\+ add {6}Class: backfills 3 transients with "not processed"\n/)
  t.match(text.out, /\nwould become eligible:\n {2}Distance {2}1 transient: b\n {2}Class {5}1 transient: a\n$/)

  const json = await cli('plan', 'candidate.yaml', '--json')
  t.equal(json.code, 0)
  t.match(JSON.parse(json.out), { ok: true, changes: { transients: 3, removed: [{ task: 'Offset', registers: 3 }] } })

  const same = await cli('plan')
  t.equal(same.out.trim(), `base.yaml against ${onPostgres ? `PostgreSQL (schema ${schema})` : 'the embedded database in .blast'}: no changes; the database runs this manifest (3 transients)`)

  await writeFile(join(dir, 'broken.yaml'), 'version: 1\ntasks:\n  - name: A\n    prerequisites: { Nope: processed }\n')
  const broken = await cli('plan', 'broken.yaml')
  t.equal(broken.code, 1)
  t.match(broken.err, /^broken\.yaml:4:22 error BLAST_UNKNOWN_TASK /m)
})

// ---- without a database: in this process ----

function capture (): Io & { text: () => string; errors: () => string } {
  const out: string[] = []
  const err: string[] = []
  return { out: s => out.push(s), err: s => err.push(s), text: () => out.join('\n'), errors: () => err.join('\n') }
}

t.test('run --input needs no database; the timeout applies', async t => {
  await writeFile(join(dir, 'slow.yaml'), 'version: 1\ntasks:\n  - { name: Slow, plugin: plugins/step.ts, timeout_seconds: 1 }\n' +
    '  - { name: Next, plugin: plugins/step.ts, prerequisites: { Slow: processed } }\n')
  const input = (value: unknown) => { const file = join(dir, `input-${Math.random()}.json`); return writeFile(file, JSON.stringify(value)).then(() => file) }

  const io = capture()
  const file = await input({ name: '2024abc', ra_deg: 10, dec_deg: 20, tasks: { Slow: { status: 'processed', output: { x: 1 } } } })
  t.equal(await main(['run', 'Next', '--input', file, '--manifest', join(dir, 'slow.yaml')], io), 0, io.errors())
  t.match(io.text(), /^Next on 2024abc: processed \(success\)/)
  t.match(io.text(), /"parents": \[\n\s+"Slow"\n\s+\]/)

  const hang = capture()
  const started = performance.now()
  t.equal(await main(['run', 'Slow', '--input', await input({ name: 'h', ra_deg: 1, dec_deg: 1, data: { hang: 'Slow' } }), '--manifest', join(dir, 'slow.yaml')], hang), 1)
  t.comment(`timed out after ${Math.round(performance.now() - started)} ms`)
  t.match(hang.text(), /^Slow on h: time limit exceeded \(error\)/)
  t.match(hang.text(), /error: exceeded timeout_seconds=1/)

  const bad = capture()
  t.equal(await main(['run', 'Slow', '--input', await input({ name: 'x', ra_deg: 400, dec_deg: 1 }), '--manifest', join(dir, 'slow.yaml')], bad), 1)
  t.match(bad.errors(), /ra_deg must be a number in \[0, 360\)/)
})

t.test('run refuses what it cannot do, and says why', async t => {
  const manifest = join(dir, 'base.yaml')
  for (const [args, code, message] of [
    [['run', 'Validate'], 2, /give --transient <name> or --input <file>, one of them/],
    [['run', '--transient', 'a'], 2, /name one task; got none/],
    [['run', 'Validate', '--input', 'x.json', '--commit'], 2, /--commit writes to the database; use it with --transient/],
    [['run', 'Validat', '--input', 'x.json', '--manifest', manifest], 2, /task "Validat" is not declared in .*base\.yaml; did you mean "Validate"\?/],
    [['run', 'Ingest', '--input', 'x.json', '--manifest', manifest], 2, /"Ingest" is a system task and runs on no transient; .*POST \/api\/v1\/tasks\/Ingest\/run/]
  ] as const) {
    const io = capture()
    t.equal(await main([...args], io), code, args.join(' '))
    t.match(io.errors(), message)
  }
})

t.test('no database yet: plan adds everything, run says to start the runtime', { skip: onPostgres && 'the embedded database only' }, async t => {
  const empty = join(dir, 'empty')
  await mkdir(empty)
  const saved = process.env.BLAST_DATA_DIR
  process.env.BLAST_DATA_DIR = empty
  t.teardown(() => { process.env.BLAST_DATA_DIR = saved })
  const io = capture()
  t.equal(await main(['plan', join(dir, 'base.yaml')], io), 0, io.errors())
  t.match(io.text(), /against the embedded database in .*empty \(not created yet\) \(0 transients; no manifest applied yet\):\n {2}\+ add {6}Validate: backfills 0 transients/)
  const run = capture()
  t.equal(await main(['run', 'Validate', '--transient', 'a', '--manifest', join(dir, 'base.yaml')], run), 1)
  t.match(run.errors(), /there is no database yet \(the embedded database in .*empty \(not created yet\)\); start the runtime first, or use --input/)
})
