// Graceful shutdown of a real process with runs in flight. SIGTERM: runs that finish within the
// grace period (BLAST_SHUTDOWN_GRACE_SECONDS) are recorded; the rest are released back to
// `not processed` (history: "released at shutdown", the attempt not counted) and the process exits
// 0. A second SIGTERM exits at once with 130 after releasing its claims. Nothing is left `processing`.
import t from 'tap'
import type { Test } from 'tap'
import { Deployment, until, type RuntimeProcess } from './fixtures/harness.ts'

const GRACE_SECONDS = 3
const LONG_GRACE_SECONDS = 60

async function withRunsInFlight (t: Test, behave: Record<string, string>, graceSeconds: number): Promise<{ deployment: Deployment; proc: RuntimeProcess }> {
  const deployment = new Deployment(t, { manifest: 'two-steps.yaml' })
  const proc = await deployment.spawn({ env: { BLAST_SHUTDOWN_GRACE_SECONDS: String(graceSeconds) } })
  await proc.ready()
  const { status } = await proc.api('POST', '/api/v1/transients', Object.entries(behave).map(([name, slow], i) => ({
    name, ra_deg: i, dec_deg: 0, data: { behave: { 'Task A': slow } }
  })))
  if (status !== 201) throw new Error(`create: ${status}`)
  await until(() => deployment.readInvocations().length === Object.keys(behave).length, 'every run in flight', 30000, 20)
  return { deployment, proc }
}

interface Row { name: string; task: string; status: string; attempts: number }

const registersOf = (deployment: Deployment) => deployment.query<Row>(
  'SELECT t.name, ts.task, ts.status, ts.attempts FROM {s}.task_status ts JOIN {s}.transient t ON t.id = ts.transient_id ORDER BY t.name, ts.task')

t.test('SIGTERM: runs within the grace period finish, longer ones are released', async t => {
  const quick = ['2024quick1', '2024quick2', '2024quick3']
  const long = ['2024long1', '2024long2', '2024long3']
  const { deployment, proc } = await withRunsInFlight(t, {
    ...Object.fromEntries(quick.map(name => [name, 'slow:1000'])),
    ...Object.fromEntries(long.map(name => [name, 'slow:60000']))
  }, GRACE_SECONDS)
  const signalled = Date.now()
  proc.kill('SIGTERM')
  const exit = await proc.exited
  const ms = Date.now() - signalled
  t.comment(`exited ${ms} ms after SIGTERM (grace ${GRACE_SECONDS} s)`)
  t.same(exit, { code: 0, signal: null }, 'the process exits 0')
  t.ok(ms < 30000, 'without waiting for the runs longer than the grace (60 s)')
  t.match(proc.lines.find(line => line.msg.startsWith('stopping:')), { signal: 'SIGTERM', graceSeconds: GRACE_SECONDS }, 'it logs the stop and the grace')
  t.ok(proc.lines.some(line => line.msg === 'stopped'), 'and the end of it')

  const registers = await registersOf(deployment)
  t.notOk(registers.some(row => row.status === 'processing'), 'nothing is left processing')
  for (const name of quick) t.match(registers.find(row => row.name === name && row.task === 'Task A'), { status: 'processed', attempts: 1 }, `${name} finished within the grace`)
  for (const name of long) t.match(registers.find(row => row.name === name && row.task === 'Task A'), { status: 'not processed', attempts: 0 }, `${name} released, the attempt not counted`)
  const released = await deployment.query('SELECT transient, status, action, error, attempt FROM {s}.run WHERE action IS NOT NULL ORDER BY transient')
  t.same(released.map(row => [row.transient, row.status, row.action, row.attempt]), long.map(name => [name, 'not processed', 'released at shutdown', 1]),
    'the history says each was released at shutdown')
  t.match(released[0].error, 'the runtime is shutting down', 'and why')
})

t.test('a second SIGTERM exits at once, releasing the runs in flight', async t => {
  const long = ['2024long4', '2024long5']
  // a long grace, so that exiting at once cannot be mistaken for the grace running out
  const { deployment, proc } = await withRunsInFlight(t, Object.fromEntries(long.map(name => [name, 'slow:60000'])), LONG_GRACE_SECONDS)
  const signalled = Date.now()
  proc.kill('SIGTERM')
  await proc.waitForLog(line => line.msg.startsWith('stopping:'))
  proc.kill('SIGTERM')
  const exit = await proc.exited
  const ms = Date.now() - signalled
  t.comment(`exited ${ms} ms after the first SIGTERM (grace ${LONG_GRACE_SECONDS} s)`)
  t.same(exit, { code: 130, signal: null }, 'the process exits 130')
  t.ok(ms < LONG_GRACE_SECONDS * 1000, 'without waiting for the grace period')
  t.ok(proc.lines.some(line => line.msg === 'second signal: releasing runs in flight and exiting now'), 'it logs why')

  const registers = await registersOf(deployment)
  t.notOk(registers.some(row => row.status === 'processing'), 'nothing is left processing')
  for (const name of long) t.match(registers.find(row => row.name === name && row.task === 'Task A'), { status: 'not processed', attempts: 0 }, `${name} released`)
  const released = await deployment.query('SELECT transient, action, error FROM {s}.run ORDER BY transient')
  t.same(released.map(row => [row.transient, row.action, row.error]), long.map(name => [name, 'released at exit', 'released: the runtime was told to exit at once']),
    'the history says each was released at exit')
})
