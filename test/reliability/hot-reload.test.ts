// Hot reload of a running process (the watcher in `blast-tasks start`): editing blast.tasks.yaml or a
// plugin applies the change without a restart — a new task is backfilled, a rewired prerequisite is
// honoured, a changed frequency is rescheduled, a new plugin version serves new runs. An invalid
// edit is rejected with its diagnostics (log and GET /api/v1/manifest) and the last good manifest
// keeps running.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Deployment, until } from './fixtures/harness.ts'

const RELOADED = 'manifest reloaded'
const REJECTED = 'manifest edit rejected; the last good manifest keeps running'

t.test('edits of the manifest and plugins apply while running; an invalid edit is rejected', async t => {
  const deployment = new Deployment(t, { manifest: 'hot-reload.yaml' })
  const proc = await deployment.spawn()
  await proc.ready()
  const pid = proc.pid
  const plugin = join(deployment.dir, 'plugins/step.ts')
  const reloads = () => proc.lines.filter(line => line.msg === RELOADED || line.msg === REJECTED).length

  /** rewrites the manifest and waits for the runtime's verdict on it */
  const edit = async (file: string, change: (text: string) => string, verdict: string) => {
    const before = reloads()
    writeFileSync(file, change(readFileSync(file, 'utf8')))
    await until(() => proc.lines.filter(line => line.msg === RELOADED || line.msg === REJECTED).slice(before).some(line => line.msg === verdict),
      `"${verdict}" after editing ${file}`, 30000, 50)
  }
  const create = async (name: string, behave: Record<string, string> = {}) => {
    const { status } = await proc.api('POST', '/api/v1/transients', { name, ra_deg: 1, dec_deg: 2, data: { behave } })
    t.equal(status, 201, `created ${name}`)
  }
  const registers = async (name: string) => {
    const { body } = await proc.api('GET', `/api/v1/transients/${name}`)
    return Object.fromEntries(body.tasks.map((r: { task: string; status: string; output: unknown }) => [r.task, { status: r.status, output: r.output }]))
  }
  const statusesOf = async (name: string) => Object.fromEntries(Object.entries(await registers(name)).map(([task, r]) => [task, (r as { status: string }).status]))
  /** Task A and Task B have run (Task C may wait for a status Task A does not give) */
  const settled = (name: string) => until(async () => {
    const statuses = await statusesOf(name)
    return ['Task A', 'Task B'].every(task => statuses[task] !== undefined && statuses[task] !== 'not processed' && statuses[task] !== 'processing')
  }, `${name} settled`, 30000, 100)

  await create('2024hot1')
  await create('2024hot2')
  await settled('2024hot1')
  await settled('2024hot2')
  t.equal(reloads(), 0, 'runs writing files beside the manifest trigger no reload')

  await t.test('a new task is backfilled on every existing transient', async t => {
    await edit(deployment.manifest, text => `${text}  - { name: Task C, plugin: plugins/step.ts, prerequisites: { Task B: processed } }\n`, RELOADED)
    t.ok(proc.lines.some(line => line.msg === 'new tasks: every transient got a `not processed` register' && String(line.tasks) === 'Task C'), 'the log names the new task')
    for (const name of ['2024hot1', '2024hot2']) {
      await until(async () => (await statusesOf(name))['Task C'] === 'processed', `${name} Task C processed`, 30000, 100)
      t.pass(`${name} ran the new task`)
    }
  })

  await t.test('a rewired prerequisite is honoured', async t => {
    // Task C waited for Task B; now it waits for Task A to be `skipped` (and Task B never runs then)
    await edit(deployment.manifest, text => text.replace('name: Task C, plugin: plugins/step.ts, prerequisites: { Task B: processed }',
      'name: Task C, plugin: plugins/step.ts, prerequisites: { Task A: skipped }'), RELOADED)
    await create('2024hot3', { 'Task A': 'skipped' })
    await until(async () => (await statusesOf('2024hot3'))['Task C'] === 'processed', 'Task C processed after a skipped Task A', 30000, 100)
    t.same(await statusesOf('2024hot3'), { 'Task A': 'skipped', 'Task B': 'not processed', 'Task C': 'processed' }, 'Task C ran on the new wiring alone')
    const { body } = await proc.api('GET', '/api/v1/transients/2024hot3/tasks/Task%20B/explain')
    t.match(body.summary, /Task A is "skipped" \(needs "processed"\)/, 'Task B explains what it waits for')
  })

  await t.test('a changed frequency is rescheduled', async t => {
    const runsOf = () => deployment.readInvocations().filter(row => row.task === 'Housekeeping').length
    const { body: before } = await proc.api('GET', '/api/v1/tasks/Housekeeping')
    t.match(before.schedule, { kind: 'cron', every_seconds: 3600 }, 'hourly: a pg-boss cron')
    const runs = runsOf()
    await edit(deployment.manifest, text => text.replace('frequency_seconds: 3600', 'frequency_seconds: 2'), RELOADED)
    const { body: after } = await proc.api('GET', '/api/v1/tasks/Housekeeping')
    t.match(after.schedule, { kind: 'interval', every_seconds: 2, cron: null }, 'every 2 s: the interval ticker')
    // one run comes from the sweep every reload makes; more can only come from the new period
    await until(() => runsOf() >= runs + 3, 'the system task running every 2 s', 30000, 200)
    t.pass('the system task runs on its new period')
    await edit(deployment.manifest, text => text.replace('frequency_seconds: 2', 'frequency_seconds: 3600'), RELOADED)
  })

  await t.test('an edited plugin serves the next runs', async t => {
    t.match(await registers('2024hot1'), { 'Task A': { output: { version: 1 } } }, 'runs so far used version 1')
    await edit(plugin, text => text.replace('const VERSION = 1', 'const VERSION = 2'), RELOADED)
    await create('2024hot4')
    await settled('2024hot4')
    t.match(await registers('2024hot4'), { 'Task A': { output: { version: 2 } }, 'Task B': { output: { version: 2 } } }, 'new runs use version 2')
    t.match(await registers('2024hot1'), { 'Task A': { output: { version: 1 } } }, 'earlier results are kept')
  })

  await t.test('an invalid manifest edit is rejected; the last good manifest keeps running', async t => {
    const good = readFileSync(deployment.manifest, 'utf8')
    await edit(deployment.manifest, text => `${text}  - { name: Task D, plugin: plugins/step.ts, prerequisites: { Task Z: processed } }\n`, REJECTED)
    const rejected = proc.lines.findLast(line => line.msg === REJECTED)!
    t.match(rejected.diagnostics, [/blast\.tasks\.yaml:\d+:\d+ error BLAST_UNKNOWN_TASK .*"Task Z"/], 'the log has the diagnostic with its position')
    const { body: info } = await proc.api('GET', '/api/v1/manifest')
    t.equal(info.last_attempt_ok, false, 'GET /api/v1/manifest says the last attempt failed')
    t.match(info.diagnostics, [{ severity: 'error', code: 'BLAST_UNKNOWN_TASK', line: Number, column: Number, text: /error BLAST_UNKNOWN_TASK/ }], 'with the diagnostics')
    t.same(info.manifest.tasks.map((task: { name: string }) => task.name), ['Task A', 'Task B', 'Housekeeping', 'Task C'], 'and the manifest that still runs')
    await create('2024hot5')
    await settled('2024hot5')
    t.same(await statusesOf('2024hot5'), { 'Task A': 'processed', 'Task B': 'processed', 'Task C': 'not processed' }, 'new transients run on the last good manifest')

    await edit(deployment.manifest, () => good, RELOADED)
    const { body: fixed } = await proc.api('GET', '/api/v1/manifest')
    t.equal(fixed.last_attempt_ok, true, 'a corrected edit is accepted again')
  })

  await t.test('a plugin edit with a syntax error is rejected; the last good version keeps running', async t => {
    const good = readFileSync(plugin, 'utf8')
    await edit(plugin, text => text.replace('const VERSION = 2', 'const VERSION = = 3'), REJECTED)
    const rejected = proc.lines.findLast(line => line.msg === REJECTED)!
    t.match(rejected.diagnostics, [/plugins\/step\.ts:\d+:\d+ error BLAST_PLUGIN_LOAD plugins\/step\.ts has a syntax error/], 'the log has the diagnostic')
    await create('2024hot6')
    await settled('2024hot6')
    t.match(await registers('2024hot6'), { 'Task A': { status: 'processed', output: { version: 2 } } }, 'new runs use the last good version')
    await edit(plugin, () => good, RELOADED)
  })

  t.equal(proc.pid, pid, 'all of it without a restart')
  t.ok(proc.alive, 'the process still runs')
})

