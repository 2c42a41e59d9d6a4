// The run semantics of transient tasks, on the chain fixture (A → B → C, A → D, E needs C and D):
// what process() receives, what is stored, failures, timeouts, retries, eligibility, progress.
// Every transient is created in one call, so Task A runs them in one batch: each outcome below is
// also a neighbour of every other in that batch.
import t from 'tap'
import { join } from 'node:path'
import type { TransientInput } from '../../runtime/types.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { FIXTURES, allRuns, readCalls, tally, tempDir } from '../fixtures/engine/harness.ts'

const log = join(tempDir(t), 'calls.log')
process.env.BLAST_TEST_LOG = log
const runtime = await startTestRuntime(t, { manifest: join(FIXTURES, 'chain.yaml') })
const DECLARED = 'processed, failed, time limit exceeded, no host match, skipped'

const inputs: TransientInput[] = [
  { name: 'echo', ra_deg: 10.5, dec_deg: -20.25, public_timestamp: '2021-03-04T05:06:07.000Z', redshift: 0.01, data: { behave: { 'Task B': 'echo' }, note: 'hi' } },
  { name: 'plain', ra_deg: 1, dec_deg: 1 },
  { name: 'bogus', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'bogus' } } },
  { name: 'unsettled', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'processing' } } },
  { name: 'nothing', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'nothing' } } },
  { name: 'not-json', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'not-json' } } },
  { name: 'exits', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'exit' } } },
  { name: 'throw-a', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task A': 'throw' } } },
  { name: 'throw-d', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task D': 'throw' } } },
  { name: 'hang-c', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task C': 'hang' } } },
  { name: 'deaf-c', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task C': 'ignore-abort' } } },
  { name: 'flaky-b', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task B': 'flaky:3' } } },
  { name: 'throw-b', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task B': 'throw' } } },
  { name: 'skip-b', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task B': 'skipped' } } },
  { name: 'domain-d', ra_deg: 1, dec_deg: 1, data: { behave: { 'Task D': { status: 'no host match', output: { tried: 3 } } } } }
]
const started = Date.now()
await runtime.createTransients(inputs)
await waitFor(async () => {
  const page = await runtime.listTransients({ processing_status: 'processing' })
  return page.items.length === 0
}, { timeoutMs: 60000, what: 'every transient settled' })
t.comment(`${inputs.length} transients settled in ${Date.now() - started} ms (includes 2 s + 4 s retry back-off)`)

const detail = (name: string) => runtime.getTransient(name)
const statuses = async (name: string) => Object.fromEntries((await detail(name)).tasks.map(r => [r.task, r.status]))
const register = async (name: string, task: string) => (await detail(name)).tasks.find(r => r.task === task)!
const ALL = (status: string) => ({ 'Task A': status, 'Task B': status, 'Task D': status, 'Task C': status, 'Task E': status })

t.test('process(transient, ctx) gets the fields, data, the other tasks and ctx', async t => {
  const echoed = (await register('echo', 'Task B')).output as any
  t.same(echoed.ctx, { task: 'Task B', attempt: 1, aborted: false, log: ['debug', 'info', 'warn', 'error'] })
  const seen = echoed.transient
  t.same({ ...seen, tasks: undefined }, {
    name: 'echo', ra_deg: 10.5, dec_deg: -20.25, public_timestamp: '2021-03-04T05:06:07.000Z', redshift: 0.01,
    data: { behave: { 'Task B': 'echo' }, note: 'hi' }, tasks: undefined
  })
  t.same(seen.tasks['Task A'], { status: 'processed', type: 'success', output: { task: 'Task A', parents: 5 } }, "a parent's status and output")
  t.same(seen.tasks['Task B'], { status: 'processing', type: 'warning', output: null }, 'its own register, claimed')
  t.same(seen.tasks['Task C'], { status: 'not processed', type: 'blank', output: null })
  t.same(Object.keys(seen.tasks).sort(), ['Task A', 'Task B', 'Task C', 'Task D', 'Task E'])
})

t.test('the returned status and output are stored with the wall duration and a history row', async t => {
  const d = await detail('plain')
  t.same([d.progress, d.processing_status], [100, 'completed'])
  const b = d.tasks.find(r => r.task === 'Task B')!
  t.same({ ...b, updated_at: typeof b.updated_at, duration_ms: typeof b.duration_ms }, {
    task: 'Task B', status: 'processed', type: 'success', updated_at: 'string', duration_ms: 'number', attempts: 1,
    output: { task: 'Task B', parents: 5 }, last_error: null, in_manifest: true
  })
  const runs = await allRuns(runtime, { transient: 'plain' })
  t.same(runs.map(r => r.task).sort(), ['Task A', 'Task B', 'Task C', 'Task D', 'Task E'], 'one run per task')
  const run = runs.find(r => r.task === 'Task B')!
  t.match(run, {
    transient: 'plain', task: 'Task B', status: 'processed', error: null, stack: null, attempt: 1,
    worker: runtime.workerId, cause: 'push', action: null, output: { task: 'Task B', parents: 5 }
  })
  t.ok(Date.parse(run.finished_at!) >= Date.parse(run.started_at), 'finished after it started')
  t.equal(run.duration_ms, b.duration_ms, 'the register keeps the duration of its last run')
  t.same(await runtime.getRun(run.id), run)
  const first = runs.find(r => r.task === 'Task A')!
  for (const later of runs.filter(r => r.task !== 'Task A')) {
    t.ok(Date.parse(later.started_at) >= Date.parse(first.finished_at!), `${later.task} started after its ancestor Task A finished`)
  }
  const e = runs.find(r => r.task === 'Task E')!
  for (const parent of ['Task C', 'Task D']) {
    t.ok(Date.parse(e.started_at) >= Date.parse(runs.find(r => r.task === parent)!.finished_at!), `fan-in Task E started after ${parent} finished`)
  }
})

t.test('a returned value that is not a declared final status is a failure naming it and the declared statuses', async t => {
  t.same(await statuses('bogus'), { ...ALL('not processed'), 'Task A': 'failed' })
  const a = await register('bogus', 'Task A')
  t.equal(a.last_error, `process() returned status "bogus", which is not a declared final status; declared: ${DECLARED}`)
  t.equal((await register('unsettled', 'Task A')).last_error,
    `process() returned status "processing", which is not a declared final status; declared: ${DECLARED}`)
  t.equal((await register('nothing', 'Task A')).last_error,
    `process() returned nothing; it must return a declared status message or { status, output }; declared: ${DECLARED}`)
  t.match((await register('not-json', 'Task A')).last_error, /^process\(\) returned an output that is not JSON: .*circular/i)
  t.equal((await register('exits', 'Task A')).last_error, 'plugin of "Task A" called process.exit(3); a plugin may not end the runtime')
  const [run] = await allRuns(runtime, { transient: 'bogus' })
  t.match(run, { task: 'Task A', status: 'failed', error: a.last_error, attempt: 1 })
  t.match(run!.stack, /not a declared final status/)
})

t.test("a throw writes the task's failed_status with the error in the register and the history", async t => {
  t.same(await statuses('throw-a'), { ...ALL('not processed'), 'Task A': 'failed' })
  t.same(await statuses('throw-d'), { ...ALL('processed'), 'Task D': 'no host match', 'Task E': 'not processed' })
  const d = await register('throw-d', 'Task D')
  t.same([d.status, d.type, d.last_error, d.attempts], ['no host match', 'error', 'Task D failed on purpose', 1])
  const [run] = await allRuns(runtime, { transient: 'throw-d', task: 'Task D' })
  t.match(run, { status: 'no host match', error: 'Task D failed on purpose', attempt: 1 })
  t.match(run!.stack, /^Error: Task D failed on purpose\n\s+at .*behave\.ts/)
  t.equal((await allRuns(runtime, { transient: 'throw-d', task: 'Task E' })).length, 0, 'Task E never ran')

  const domain = await register('domain-d', 'Task D')
  t.same([domain.status, domain.output, domain.last_error], ['no host match', { tried: 3 }, null], 'a returned error status is no failure of the run')
})

t.test('past timeout_seconds the signal aborts and the status becomes `time limit exceeded`', async t => {
  for (const name of ['hang-c', 'deaf-c']) {
    t.same(await statuses(name), { ...ALL('processed'), 'Task C': 'time limit exceeded', 'Task E': 'not processed' }, name)
    const c = await register(name, 'Task C')
    t.equal(c.last_error, 'exceeded timeout_seconds=1')
    t.ok(c.duration_ms! >= 900, `${name} ran about the timeout (${Math.round(c.duration_ms!)} ms)`)
    const [run] = await allRuns(runtime, { transient: name, task: 'Task C' })
    t.match(run, { status: 'time limit exceeded', error: 'exceeded timeout_seconds=1', attempt: 1 })
  }
})

t.test('`retries` retries before the failed status, attempts counting up', async t => {
  const flaky = await register('flaky-b', 'Task B')
  t.same([flaky.status, flaky.attempts, flaky.last_error], ['processed', 3, null])
  t.same(await statuses('flaky-b'), ALL('processed'))
  const runs = await allRuns(runtime, { transient: 'flaky-b', task: 'Task B' })
  t.same(runs.map(r => [r.attempt, r.status, r.error, r.action, r.cause]), [
    [1, 'not processed', 'flaky failure on attempt 1', 'retry scheduled', 'push'],
    [2, 'not processed', 'flaky failure on attempt 2', 'retry scheduled', 'retry'],
    [3, 'processed', null, null, 'retry']
  ])
  const calls = readCalls(log).filter(c => c.transient === 'flaky-b' && c.task === 'Task B').map(c => c.attempt)
  t.same(calls, [1, 2, 3], 'the plugin saw ctx.attempt 1, 2, 3')

  const failing = await register('throw-b', 'Task B')
  t.same([failing.status, failing.attempts, failing.last_error], ['failed', 3, 'Task B failed on purpose'])
  t.same((await allRuns(runtime, { transient: 'throw-b', task: 'Task B' })).map(r => [r.attempt, r.status]),
    [[1, 'not processed'], [2, 'not processed'], [3, 'failed']])
  t.equal((await register('throw-a', 'Task A')).attempts, 1, 'Task A has no retries: one attempt')
})

t.test('eligible only when every prerequisite holds and the own status is `not processed`', async t => {
  const calls = tally(readCalls(log))
  for (const [key, n] of calls) {
    const retried = key === 'flaky-b / Task B' || key === 'throw-b / Task B'
    t.equal(n, retried ? 3 : 1, `${key} ran ${retried ? 'three times (retries)' : 'once'}`)
  }
  t.equal(calls.get('throw-a / Task B'), undefined, 'nothing runs below a failed task')
  t.equal(calls.get('skip-b / Task C'), undefined, 'a parent settled on another status does not unlock its child')
  t.same(await statuses('skip-b'), { ...ALL('processed'), 'Task B': 'skipped', 'Task C': 'not processed', 'Task E': 'not processed' })

  const done = await runtime.explain('plain', 'Task A')
  t.same([done.eligible, done.summary], [false, 'finished with "processed"; reset or retrigger it to run again'])
  t.same(await runtime.runTask('Task A', 'plain'), { queued: 0 }, 'a finished register is not queued')
  // the claim decides: a finished register is never claimed, even asked for by id, nor by a sweep
  const [{ id }] = await runtime.db.query<{ id: number }>(`SELECT id FROM ${runtime.store.schema}.transient WHERE name = 'plain'`)
  t.same(await runtime.store.claim('Task A', [id], runtime.workerId, [id]), [], 'not claimed by id')
  t.same(await runtime.runTask('Task A'), { queued: 0 }, 'nothing ready for a sweep')
  t.equal(tally(readCalls(log)).get('plain / Task A'), 1, 'still one call')

  const blocked = await runtime.explain('throw-d', 'Task E')
  t.same(blocked.prerequisites, [
    { task: 'Task C', required: 'processed', current: 'processed', holds: true },
    { task: 'Task D', required: 'processed', current: 'no host match', holds: false }
  ])
  t.same([blocked.eligible, blocked.summary], [false, 'blocked: Task D is "no host match" (needs "processed")'])
})

t.test('progress and processing_status come from the graph', async t => {
  const expect: Record<string, [number, string]> = {
    plain: [100, 'completed'],
    echo: [100, 'completed'],
    'flaky-b': [100, 'completed'],
    'skip-b': [100, 'completed'], // blocked by a success that is not `processed`: nothing left, no error
    'throw-a': [100, 'blocked'], // every descendant of the failed root is blocked
    bogus: [100, 'blocked'],
    'throw-d': [100, 'blocked'],
    'hang-c': [100, 'blocked'],
    'throw-b': [100, 'blocked']
  }
  for (const [name, [progress, status]] of Object.entries(expect)) {
    const d = await detail(name)
    t.same([d.progress, d.processing_status], [progress, status], name)
  }
  const page = await runtime.listTransients({ processing_status: 'blocked', limit: 100 })
  t.ok(page.items.every(item => item.processing_status === 'blocked') && page.items.some(item => item.name === 'throw-d'))
})

t.test('one failing transient in a batch never fails its neighbours', async t => {
  // Every transient went through Task A once, claimed in the batch the create made ready; the
  // failures above were theirs alone: no neighbour's run failed or ran again.
  const runs = await allRuns(runtime, { task: 'Task A' })
  for (const input of inputs) {
    t.same(runs.filter(run => run.transient === input.name).map(run => [run.attempt, run.cause]), [[1, 'push']], `${input.name}: one run of Task A`)
  }
  const a = Object.fromEntries(await Promise.all(inputs.map(async i => [i.name, (await register(i.name, 'Task A')).status])))
  const failing = new Set(['bogus', 'unsettled', 'nothing', 'not-json', 'exits', 'throw-a'])
  for (const input of inputs) t.equal(a[input.name], failing.has(input.name) ? 'failed' : 'processed', input.name)
})
