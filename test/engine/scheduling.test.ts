// Scheduling and enablement: no pg-boss queue for a transient task (its registers are the queue),
// crons for whole-minute cadences and the interval ticker for the rest, push (a finished run runs its
// dependents at once, a new transient its roots), disabled tasks, the backlog run oldest first, and
// in-flight runs surviving a disable. One runtime with batch size 1, so that the order of runs is
// the order of the claims.
import t from 'tap'
import { join } from 'node:path'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, readCalls, sql, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const dir = tempDir(t)
const log = join(dir, 'calls.log')
process.env.BLAST_TEST_LOG = log
const behave = '"{{plugins}}/behave.ts"'
const manifest = writeManifest(dir, [
  'version: 1',
  'tasks:',
  // hourly: within a test only push can explain a run of these
  `  - { name: Push root, plugin: ${behave}, frequency_seconds: 3600 }`,
  `  - { name: Push child, plugin: ${behave}, frequency_seconds: 3600, prerequisites: { Push root: processed } }`,
  `  - { name: Push grandchild, plugin: ${behave}, frequency_seconds: 3600, prerequisites: { Push child: processed } }`,
  `  - { name: Gated, plugin: ${behave}, frequency_seconds: 3600, prerequisites: { Push root: processed }, enabled: false }`,
  `  - { name: Ticker, plugin: ${behave}, frequency_seconds: 2, enabled: false }`,
  `  - { name: Every 5 min, plugin: ${behave}, frequency_seconds: 300 }`,
  `  - { name: Every 2 h, plugin: ${behave}, frequency_seconds: 7200 }`,
  `  - { name: Every 90 s, plugin: ${behave}, frequency_seconds: 90 }`
].join('\n'))
const runtime = await startTestRuntime(t, { manifest, batchSize: 1 })
const statusesOf = async (name: string) => Object.fromEntries((await runtime.getTransient(name)).tasks.map(r => [r.task, r.status]))

t.test('no pg-boss queue for a transient task; whole-minute cadences are pg-boss schedules, the rest the ticker', async t => {
  // pg-boss's own (__pgboss__…) aside
  t.same((await runtime.boss.getQueues()).map(q => q.name).filter(name => !name.startsWith('__pgboss__')), ['blast.sweep'], 'the sweep queue only: no job per run')
  const schedules = (await runtime.boss.getSchedules('blast.sweep')).map(s => [s.key, s.cron, s.data]).sort()
  t.same(schedules, [
    ['every-2-h', '0 */2 * * *', { task: 'Every 2 h' }],
    ['every-5-min', '*/5 * * * *', { task: 'Every 5 min' }],
    ['gated', '*/60 * * * *', { task: 'Gated' }],
    ['push-child', '*/60 * * * *', { task: 'Push child' }],
    ['push-grandchild', '*/60 * * * *', { task: 'Push grandchild' }],
    ['push-root', '*/60 * * * *', { task: 'Push root' }]
  ], 'Ticker (2 s) and Every 90 s have no cron')
  t.same((await runtime.getTask('Every 90 s')).schedule, { kind: 'interval', cron: null, everySeconds: 90 })
  t.same((await runtime.getTask('Every 5 min')).schedule, { kind: 'cron', cron: '*/5 * * * *', everySeconds: 300 })
})

t.test('push: a new transient is queued for its roots at once, each finished run queues its dependents at once', async t => {
  const started = Date.now()
  await runtime.createTransients([{ name: 'p1', ra_deg: 1, dec_deg: 1, public_timestamp: '2015-01-01T00:00:00Z' }])
  await waitFor(async () => (await statusesOf('p1'))['Push grandchild'] === 'processed', { what: 'the chain' })
  t.comment(`root → child → grandchild in ${Date.now() - started} ms, with hourly sweeps`)
  const runs = await allRuns(runtime, { transient: 'p1' })
  const chain = ['Push root', 'Push child', 'Push grandchild'].map(task => runs.find(r => r.task === task)!)
  t.same(chain.map(r => [r.task, r.cause]), [['Push root', 'push'], ['Push child', 'push'], ['Push grandchild', 'push']])
  t.ok(Date.parse(chain[1]!.started_at) >= Date.parse(chain[0]!.finished_at!) && Date.parse(chain[2]!.started_at) >= Date.parse(chain[1]!.finished_at!))
})

t.test('a disabled task neither sweeps nor is pushed: its registers stay `not processed`', async t => {
  t.equal((await statusesOf('p1')).Gated, 'not processed')
  t.equal((await statusesOf('p1')).Ticker, 'not processed')
  t.same((await runtime.getTask('Gated')).enabled, { declared: false, effective: false, override: null }, '`enabled: false` is the initial state')
  const explained = await runtime.explain('p1', 'Gated')
  t.same([explained.eligible, explained.enabled, explained.summary], [true, false, 'eligible when enabled: the task is disabled'])
  t.equal((await runtime.getTask('Gated')).nextSweepAt, null)
  t.notOk(readCalls(log).some(c => c.task === 'Gated' || c.task === 'Ticker'), 'never called')
})

t.test('an interval task (2 s) sweeps on the ticker and picks up a row made ready behind the engine’s back', async t => {
  const sweptAt = async () => (await runtime.getTask('Ticker')).lastSweepAt
  const seen = new Set<string>()
  await waitFor(async () => {
    const at = await sweptAt()
    if (at) seen.add(at)
    return seen.size >= 3
  }, { timeoutMs: 30000, what: 'three ticks' })
  const ticks = [...seen].sort()
  t.comment(`ticks at ${ticks.join(', ')}`)
  t.ok(Date.parse(ticks[2]!) > Date.parse(ticks[0]!), 'lastSweepAt advances')

  // enable it in SQL: no API call, no push; only the next sweep can find the ready row
  await sql(runtime, "UPDATE {s}.task SET enabled_override = true WHERE name = 'Ticker'")
  await waitFor(async () => (await statusesOf('p1')).Ticker === 'processed', { timeoutMs: 20000, what: 'the ticker to find p1' })
  t.same((await allRuns(runtime, { transient: 'p1', task: 'Ticker' })).map(r => r.cause), ['sweep'])
  t.same((await runtime.getTask('Ticker')).enabled, { declared: false, effective: true, override: true })
})

t.test('enabling a task runs its backlog, oldest public_timestamp first (batch size 1)', async t => {
  const transients = [
    { name: 'o-2019', public_timestamp: '2019-01-01T00:00:00Z' },
    { name: 'o-null', public_timestamp: null },
    { name: 'o-2001', public_timestamp: '2001-06-01T00:00:00Z' },
    { name: 'o-1990', public_timestamp: '1990-01-01T00:00:00Z' },
    { name: 'o-2010', public_timestamp: '2010-01-01T12:00:00Z' }
  ]
  await runtime.createTransients(transients.map(input => ({ ...input, ra_deg: 5, dec_deg: 5 })))
  await waitFor(async () => {
    for (const { name } of transients) if ((await statusesOf(name))['Push root'] !== 'processed') return false
    return true
  }, { what: 'the backlog of Gated' })
  t.notOk(readCalls(log).some(c => c.task === 'Gated'))

  t.same((await runtime.setEnabled('Gated', true)).enabled, { declared: false, effective: true, override: true })
  await waitFor(async () => {
    for (const { name } of transients) if ((await statusesOf(name)).Gated !== 'processed') return false
    return (await statusesOf('p1')).Gated === 'processed'
  }, { what: 'the backlog to run' })
  const order = readCalls(log).filter(c => c.task === 'Gated').map(c => c.transient)
  t.same(order, ['o-1990', 'o-2001', 'o-2010', 'p1', 'o-2019', 'o-null'], 'oldest first; no timestamp last')
  t.same([...new Set((await allRuns(runtime, { task: 'Gated' })).map(r => r.cause))], ['api'])
})

t.test('equal timestamps run in name order', async t => {
  const at = '2015-05-05T05:05:05Z'
  await runtime.setEnabled('Gated', false)
  const names = ['tie-c', 'tie-a', 'tie-b']
  await runtime.createTransients(names.map(name => ({ name, ra_deg: 5, dec_deg: 5, public_timestamp: at })))
  await waitFor(async () => {
    for (const name of names) if ((await statusesOf(name))['Push root'] !== 'processed') return false
    return true
  }, { what: 'the tie backlog' })
  await runtime.setEnabled('Gated', true)
  await waitFor(async () => {
    for (const name of names) if ((await statusesOf(name)).Gated !== 'processed') return false
    return true
  }, { what: 'the ties to run' })
  t.same(readCalls(log).filter(c => c.task === 'Gated' && c.transient.startsWith('tie-')).map(c => c.transient), ['tie-a', 'tie-b', 'tie-c'])
})

t.test('in-flight runs of a task being disabled finish', async t => {
  await runtime.createTransients([{ name: 'inflight', ra_deg: 1, dec_deg: 1, data: { behave: { 'Push child': 'slow:2500' } } }])
  await waitFor(async () => (await statusesOf('inflight'))['Push child'] === 'processing', { what: 'the slow run to start' })
  await runtime.setEnabled('Push child', false)
  t.equal((await statusesOf('inflight'))['Push child'], 'processing')
  await waitFor(async () => (await statusesOf('inflight'))['Push child'] === 'processed', { what: 'the slow run to finish' })
  const [run] = await allRuns(runtime, { transient: 'inflight', task: 'Push child' })
  t.match(run, { status: 'processed', error: null })
  t.ok(run!.duration_ms! >= 2400, 'it ran its course')
  // its dependent was pushed as usual: enablement gates a task's own runs, not what its results unlock
  await waitFor(async () => (await statusesOf('inflight'))['Push grandchild'] === 'processed', { what: 'the grandchild' })
  await runtime.setEnabled('Push child', null)
})
