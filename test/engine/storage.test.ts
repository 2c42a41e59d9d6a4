// What the status store keeps: unique transient names (Blast's rule), one register per (transient,
// task), a history row per attempt with its cause, the manifest last seen and the enablement
// overrides — across restarts and reloads — and the registers of tasks added and removed.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { startTestRuntime, freshSchemas, onPostgres, waitFor } from '../helpers/runtime.ts'
import { FIXTURES, allRuns, sql, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const ROOT = join(FIXTURES, '../../..')
const settled = (runtime: { getTransient(name: string): Promise<{ processing_status: string }> }, name: string) =>
  waitFor(async () => (await runtime.getTransient(name)).processing_status !== 'processing', { what: `${name} settled` })
const statusesOf = async (runtime: { getTransient(name: string): Promise<{ tasks: ReadonlyArray<{ task: string; status: string }> }> }, name: string) =>
  Object.fromEntries((await runtime.getTransient(name)).tasks.map(r => [r.task, r.status]))

t.test('transient names, one register per (transient, task), history causes', async t => {
  const runtime = await startTestRuntime(t, { manifest: join(FIXTURES, 'chain.yaml'), leaseSeconds: 3 })

  t.test("Blast's name rule: up to 64 of [A-Za-z0-9_-], starting and ending with a letter or digit", async t => {
    const good = ['a', '7', 'SN2024-abc_1', 'x'.repeat(64), 'A_-_Z']
    const created = await runtime.createTransients(good.map(name => ({ name, ra_deg: 0, dec_deg: 0 })))
    t.same(created.map(c => c.name), good)
    const rule = 'name must be 1-64 letters, digits, "_" or "-", starting and ending with a letter or digit'
    for (const name of ['', '-ab', 'ab-', '_a', 'a_', 'x'.repeat(65), 'a b', 'a.b', 'é1', 'a/b']) {
      await t.rejects(runtime.createTransients([{ name, ra_deg: 0, dec_deg: 0 }]),
        { code: 'BLAST_TRANSIENT_INVALID', message: `transient "${name}": ${rule}` }, JSON.stringify(name))
    }
  })

  t.test('a name is unique: a duplicate is refused, naming it, and nothing of the request is created', async t => {
    await runtime.createTransients([{ name: 'dup-1', ra_deg: 1, dec_deg: 1 }])
    await t.rejects(runtime.createTransients([{ name: 'fresh-1', ra_deg: 1, dec_deg: 1 }, { name: 'dup-1', ra_deg: 2, dec_deg: 2 }]),
      { code: 'BLAST_TRANSIENT_EXISTS', message: 'transient(s) already exist: dup-1' })
    await t.rejects(runtime.getTransient('fresh-1'), { code: 'BLAST_TRANSIENT_NOT_FOUND' })
    await t.rejects(runtime.createTransients([{ name: 'twice', ra_deg: 1, dec_deg: 1 }, { name: 'twice', ra_deg: 1, dec_deg: 1 }]),
      { code: 'BLAST_TRANSIENT_INVALID', message: 'transient "twice" appears twice in one request' })
    // and the table itself refuses a second row, whoever writes
    await t.rejects(sql(runtime, "INSERT INTO {s}.transient (name, ra_deg, dec_deg) VALUES ('dup-1', 0, 0)"), { code: '23505' })
  })

  t.test('one register per (transient, task), unique', async t => {
    await settled(runtime, 'dup-1')
    const rows = await sql(runtime, `SELECT ts.task, count(*)::int AS n FROM {s}.task_status ts JOIN {s}.transient tr ON tr.id = ts.transient_id
      WHERE tr.name = 'dup-1' GROUP BY ts.task ORDER BY ts.task`)
    t.same(rows, ['Task A', 'Task B', 'Task C', 'Task D', 'Task E'].map(task => ({ task, n: 1 })))
    await t.rejects(sql(runtime, `INSERT INTO {s}.task_status (transient_id, task)
      SELECT id, 'Task A' FROM {s}.transient WHERE name = 'dup-1'`), { code: '23505' })
  })

  t.test('a history row per attempt: reset and api runs, and recovery of a claim whose worker is gone', async t => {
    await runtime.resetTask('dup-1', 'Task D', { cascade: false }, 'api')
    await waitFor(async () => (await statusesOf(runtime, 'dup-1'))['Task D'] === 'processed' &&
      (await allRuns(runtime, { transient: 'dup-1', task: 'Task D' })).length === 3, { what: 'Task D re-run' })
    const d = await allRuns(runtime, { transient: 'dup-1', task: 'Task D' })
    t.same(d.map(r => [r.status, r.cause, r.action, r.attempt]), [
      ['processed', 'push', null, 1],
      ['not processed', 'api', 'reset Task D (was "processed", by api)', 1],
      ['processed', 'api', null, 1]
    ], 'a reset sets attempts back to 0, so the re-run is attempt 1 again')

    // A register left `processing` by a worker that no longer heart-beats: the reaper puts it back.
    await sql(runtime, `UPDATE {s}.task_status SET status = 'processing', ready = false, owner = 'ghost:1:dead', attempts = 1,
      started_at = now() WHERE task = 'Task E' AND transient_id = (SELECT id FROM {s}.transient WHERE name = 'dup-1')`)
    await waitFor(async () => (await allRuns(runtime, { transient: 'dup-1', task: 'Task E' })).length === 3,
      { timeoutMs: 30000, what: 'the reaper to recover Task E and the re-run' })
    const e = await allRuns(runtime, { transient: 'dup-1', task: 'Task E' })
    t.same(e.map(r => [r.status, r.cause, r.action, r.attempt, r.error, r.worker]), [
      ['processed', 'push', null, 1, null, runtime.workerId],
      ['not processed', 'recovery', 'recovered', 1, 'worker ghost:1:dead stopped while running; re-queued (attempt 1)', 'ghost:1:dead'],
      ['processed', 'recovery', null, 2, null, runtime.workerId]
    ])
    const register = (await runtime.getTransient('dup-1')).tasks.find(r => r.task === 'Task E')!
    t.same([register.status, register.attempts, register.last_error], ['processed', 2, null])
    for (const run of [...d, ...e]) {
      t.ok(run.id && run.started_at && (run.duration_ms === null || run.duration_ms >= 0) && 'stack' in run, 'every field is there')
    }
  })
})

// The manifest last seen and the overrides live in the database: a second runtime on the same
// schema (PostgreSQL) or the same data dir (embedded) finds them.
t.test('restart on the same storage: overrides, tasks and statuses last seen, a new task back-filled', async t => {
  const dir = tempDir(t)
  const shared = { ...freshSchemas(), dataDir: join(dir, 'data') }
  const v1 = [
    'version: 1',
    'statuses: [{ message: odd, type: warning, description: an odd one }]',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: B, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }',
    '  - { name: Gated, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed }, enabled: false }'
  ]
  const manifest = writeManifest(dir, v1.join('\n'))
  const first = await startTestRuntime(t, { manifest, ...shared })
  await first.createTransients([{ name: 't1', ra_deg: 1, dec_deg: 1 }])
  await waitFor(async () => (await statusesOf(first, 't1')).B === 'processed', { what: 't1 / B' })
  t.same(await statusesOf(first, 't1'), { A: 'processed', B: 'processed', Gated: 'not processed' }, '`enabled: false` is the initial state')
  t.same((await first.setEnabled('B', false)).enabled, { declared: true, effective: false, override: false })
  t.same(await sql(first, 'SELECT name, kind, in_manifest, declared_enabled, enabled_override FROM {s}.task ORDER BY name'), [
    { name: 'A', kind: 'transient', in_manifest: true, declared_enabled: true, enabled_override: null },
    { name: 'B', kind: 'transient', in_manifest: true, declared_enabled: true, enabled_override: false },
    { name: 'Gated', kind: 'transient', in_manifest: true, declared_enabled: false, enabled_override: null }
  ])
  t.same(await sql(first, 'SELECT message, type, in_manifest FROM {s}.status ORDER BY message'), [
    { message: 'failed', type: 'error', in_manifest: true },
    { message: 'not processed', type: 'blank', in_manifest: true },
    { message: 'odd', type: 'warning', in_manifest: true },
    { message: 'processed', type: 'success', in_manifest: true },
    { message: 'processing', type: 'warning', in_manifest: true },
    { message: 'time limit exceeded', type: 'error', in_manifest: true }
  ])
  const [definition] = await sql(first, "SELECT definition FROM {s}.task WHERE name = 'Gated'")
  t.match(definition!.definition, { name: 'Gated', prerequisites: { A: 'processed' }, enabled: false, frequencySeconds: 60 })
  await first.createTransients([{ name: 't2', ra_deg: 2, dec_deg: 2 }])
  await waitFor(async () => (await statusesOf(first, 't2')).A === 'processed', { what: 't2 / A' })
  await first.stop()

  // v2: a new task C, the status `odd` dropped, Gated now declared enabled
  writeManifest(dir, [
    'version: 1',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: B, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }',
    '  - { name: Gated, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }',
    '  - { name: C, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }'
  ].join('\n'))
  const second = await startTestRuntime(t, { manifest, ...shared })
  t.same((await second.getTask('B')).enabled, { declared: true, effective: false, override: false }, 'the override survived the restart')
  await waitFor(async () => {
    for (const name of ['t1', 't2']) {
      const s = await statusesOf(second, name)
      if (s.C !== 'processed' || s.Gated !== 'processed') return false
    }
    return true
  }, { what: 't1 and t2 / C and Gated' })
  t.same(await statusesOf(second, 't1'), { A: 'processed', B: 'processed', Gated: 'processed', C: 'processed' },
    'existing transients got a register for the new task (no migration) and ran it')
  t.same(await statusesOf(second, 't2'), { A: 'processed', B: 'not processed', Gated: 'processed', C: 'processed' }, 'B stays off')
  const startup = (await allRuns(second, { transient: 't1' })).filter(r => r.task === 'C' || r.task === 'Gated')
  t.same(startup.map(r => r.cause).sort(), ['sweep', 'sweep'], 'what became ready while no runtime ran is queued by the re-evaluation')
  t.same(await sql(second, "SELECT message, in_manifest FROM {s}.status WHERE message = 'odd'"), [{ message: 'odd', in_manifest: false }],
    'a status no longer declared is kept, marked')

  t.test('the override persists across a manifest reload, and clearing it runs the backlog', async t => {
    writeManifest(dir, [
      'version: 1',
      'tasks:',
      '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
      '  - { name: B, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed }, enabled: true, description: now with words }',
      '  - { name: Gated, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }',
      '  - { name: C, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }'
    ].join('\n'))
    t.same(await second.reload(), { ok: true, diagnostics: [] })
    const b = await second.getTask('B')
    t.same([b.enabled, b.task.description], [{ declared: true, effective: false, override: false }, 'now with words'])
    t.equal((await statusesOf(second, 't2')).B, 'not processed')
    t.same((await second.setEnabled('B', null)).enabled, { declared: true, effective: true, override: null })
    await waitFor(async () => (await statusesOf(second, 't2')).B === 'processed', { what: 't2 / B after the override is cleared' })
    t.same((await allRuns(second, { transient: 't2', task: 'B' })).map(r => r.cause), ['api'])
  })
})

t.test('a reload adds a task (back-filled) and removes one (stops; its registers kept and reported)', async t => {
  const dir = tempDir(t)
  const manifest = writeManifest(dir, [
    'version: 1',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: Old, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }',
    '  - { name: Parked, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed }, enabled: false }'
  ].join('\n'))
  const runtime = await startTestRuntime(t, { manifest })
  await runtime.createTransients([{ name: 'before', ra_deg: 1, dec_deg: 1 }])
  await waitFor(async () => (await statusesOf(runtime, 'before')).Old === 'processed', { what: 'before / Old' })
  const hashBefore = runtime.plan.graphHash

  writeManifest(dir, [
    'version: 1',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: New, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }'
  ].join('\n'))
  t.same(await runtime.reload(), { ok: true, diagnostics: [] })
  t.not(runtime.plan.graphHash, hashBefore)
  await waitFor(async () => (await statusesOf(runtime, 'before')).New === 'processed', { what: 'before / New' })
  const detail = await runtime.getTransient('before')
  t.same(detail.tasks.map(r => [r.task, r.status, r.in_manifest]), [
    ['A', 'processed', true],
    ['New', 'processed', true],
    ['Old', 'processed', false],
    ['Parked', 'not processed', false]
  ], 'rows of removed tasks are kept and reported')
  t.same([detail.progress, detail.processing_status], [100, 'completed'], 'removed tasks no longer count')
  await t.rejects(runtime.runTask('Parked'), { code: 'BLAST_TASK_NOT_FOUND', message: 'task "Parked" is not declared; declared: A, New' })
  await t.rejects(runtime.setEnabled('Parked', true), { code: 'BLAST_TASK_NOT_FOUND' })
  t.same((await runtime.listTasks()).map(i => i.task.name), ['A', 'New'])
  t.same(await sql(runtime, 'SELECT name, in_manifest FROM {s}.task ORDER BY name'), [
    { name: 'A', in_manifest: true }, { name: 'New', in_manifest: true }, { name: 'Old', in_manifest: false }, { name: 'Parked', in_manifest: false }
  ])

  await runtime.createTransients([{ name: 'after', ra_deg: 1, dec_deg: 1 }])
  await settled(runtime, 'after')
  t.same((await runtime.getTransient('after')).tasks.map(r => r.task), ['A', 'New'], 'a new transient gets registers of manifest tasks only')
  t.same((await allRuns(runtime)).filter(r => r.task === 'Old' || r.task === 'Parked').map(r => r.transient), ['before'], 'Old ran once, before the reload; Parked never')
})

t.test('the embedded database is one process\'s: a second process on the same data dir is refused', { skip: onPostgres && 'embedded only' }, async t => {
  const dir = tempDir(t)
  const dataDir = join(dir, 'data')
  const runtime = await startTestRuntime(t, { manifest: join(FIXTURES, 'chain.yaml'), dataDir, databaseUrl: null })
  t.ok(runtime)
  const child = spawn(process.execPath, [join(ROOT, 'runtime/cli.ts'), 'start', '--no-api', '--no-watch'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', BLAST_DATA_DIR: dataDir, BLAST_MANIFEST: join(FIXTURES, 'chain.yaml'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', chunk => { output += chunk })
  child.stderr.on('data', chunk => { output += chunk })
  const [code] = await once(child, 'exit')
  t.not(code, 0)
  t.match(output, `the embedded database in ${dataDir} is in use by process ${process.pid}`)
  t.match(output, 'BLAST_DATA_DIR_LOCKED')
})
