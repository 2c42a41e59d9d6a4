// Crash recovery: a runtime process killed with SIGKILL while runs are in flight. Every
// (transient, task) it was running is re-run once — by another process (PostgreSQL) or by the
// restarted one (either database) — and reaches a final status; attempts count up; nothing stays
// `processing` without a live owner. A transient that kills every process running it is given up
// after three lost runs. Invocations are counted from outside the runtime (the plugin's log).
import t from 'tap'
import type { Test } from 'tap'
import { Deployment, LEASE_SECONDS, onPostgres, tally, until, type RuntimeProcess } from './fixtures/harness.ts'

const SLOW = 'slow:4000'

interface Register { task: string; status: string; attempts: number; last_error: string | null }

async function registers (proc: RuntimeProcess, name: string): Promise<Map<string, Register>> {
  const { status, body } = await proc.api('GET', `/api/v1/transients/${encodeURIComponent(name)}`)
  if (status !== 200) throw new Error(`GET ${name}: ${status} ${JSON.stringify(body)}`)
  return new Map((body.tasks as Register[]).map(register => [register.task, register]))
}

async function create (proc: RuntimeProcess, names: string[], behave: Record<string, string> = {}): Promise<void> {
  const { status, body } = await proc.api('POST', '/api/v1/transients', names.map((name, i) => ({
    name, ra_deg: i, dec_deg: 0, data: { behave }
  })))
  if (status !== 201) throw new Error(`create: ${status} ${JSON.stringify(body)}`)
}

async function processingCount (proc: RuntimeProcess): Promise<number> {
  const { body } = await proc.api('GET', '/api/v1/tasks')
  return (body.items as Array<{ counts: Record<string, number> }>).reduce((sum, task) => sum + (task.counts.processing ?? 0), 0)
}

/** every transient's every task is final (processed here) */
async function allProcessed (proc: RuntimeProcess, names: string[]): Promise<boolean> {
  for (const name of names) {
    for (const register of (await registers(proc, name)).values()) if (register.status !== 'processed') return false
  }
  return true
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`)

t.test('a process killed with runs in flight: another process re-runs each once',
  { skip: onPostgres ? false : 'needs DATABASE_URL: two processes cannot share the embedded database (by design)' }, async t => {
    const deployment = new Deployment(t, { manifest: 'two-steps.yaml' })
    // small batches, so that both processes take some of the slow runs
    const env = { BLAST_BATCH_SIZE: '3' }
    const [one, two] = [await deployment.spawn({ env }), await deployment.spawn({ env })]
    await Promise.all([one.ready(), two.ready()])
    const all = names('2024kill', 16)
    await create(one, all, { 'Task A': SLOW })
    // both processes run some Task A
    await until(() => new Set(deployment.readInvocations().map(row => row.pid)).size === 2, 'runs in flight on both processes', 30000, 50)
    const [victim, survivor] = Math.random() < 0.5 ? [one, two] : [two, one]
    // a claimed run may wait in the process for a worker of the run pool: kill when every claim the
    // victim holds has started, so that what it had in flight is what its plugin log says
    const claims = async () => (await deployment.query<{ name: string }>(
      "SELECT t.name FROM {s}.task_status ts JOIN {s}.transient t ON t.id = ts.transient_id WHERE ts.task = 'Task A' AND ts.status = 'processing' AND ts.owner = $1",
      [victim.workerId])).map(row => row.name)
    await until(async () => {
      const held = await claims()
      const started = new Set(deployment.readInvocations().filter(row => row.pid === victim.pid).map(row => row.name))
      return held.length > 0 && held.every(name => started.has(name))
    }, 'every claim of the victim started', 30000, 20)
    const inFlight = deployment.readInvocations().filter(row => row.pid === victim.pid).map(row => row.name)
    const killedAt = Date.now()
    victim.kill('SIGKILL')
    await victim.exited
    t.comment(`killed ${victim.pid} with ${inFlight.length} runs of Task A in flight: ${inFlight.join(', ')}`)
    t.ok(inFlight.length > 0, 'the killed process had runs in flight')

    const recovered = async (name: string) => {
      const { body } = await survivor.api('GET', `/api/v1/runs?transient=${name}&task=Task%20A`)
      return body.items.some((run: { action: string | null }) => run.action === 'recovered')
    }
    await until(async () => (await Promise.all(inFlight.map(recovered))).every(Boolean), 'every lost run re-queued', 60000, 100)
    t.comment(`every lost run re-queued ${Date.now() - killedAt} ms after the kill (lease ${LEASE_SECONDS} s)`)
    const rerun = () => deployment.readInvocations().filter(row => row.task === 'Task A' && row.attempt === 2).map(row => row.name)
    await until(() => inFlight.every(name => rerun().includes(name)), 'every lost run started again', 90000, 50)
    t.comment(`every lost run started again ${Date.now() - killedAt} ms after the kill (behind the runs queued before it)`)
    await until(() => allProcessed(survivor, all), 'every transient processed', 90000, 250)
    t.comment(`every transient processed ${Date.now() - killedAt} ms after the kill`)
    const counts = tally(deployment.readInvocations())
    for (const name of all) {
      const lost = inFlight.includes(name)
      const a = (await registers(survivor, name)).get('Task A')!
      t.equal(counts.get(`${name}\tTask A`), lost ? 2 : 1, `${name}: Task A ran ${lost ? 'twice (lost, re-run once)' : 'once'}`)
      t.equal(a.attempts, lost ? 2 : 1, `${name}: attempts ${lost ? 'count up' : 'stay 1'}`)
      t.equal(counts.get(`${name}\tTask B`), 1, `${name}: Task B ran once`)
    }
    const reruns = deployment.readInvocations().filter(row => inFlight.includes(row.name) && row.task === 'Task A' && row.attempt === 2)
    t.ok(reruns.every(row => row.pid === survivor.pid), 'the survivor re-ran them')
    const { body: history } = await survivor.api('GET', `/api/v1/runs?transient=${inFlight[0]}&task=Task%20A`)
    const recovery = history.items.find((run: { action: string | null }) => run.action === 'recovered')
    t.match(recovery, { status: 'not processed', attempt: 1, cause: 'recovery', error: /^worker .+ stopped while running; re-queued \(attempt 1\)$/ },
      'the history records the recovery')
    t.equal(await processingCount(survivor), 0, 'nothing is left processing')
    t.ok(survivor.lines.some(line => line.msg === 'recovered claims of stopped workers'), 'the survivor logged the recovery')
  })

t.test('a restarted process re-runs the runs it lost; the database survives kill -9', async t => {
  const deployment = new Deployment(t, { manifest: 'two-steps.yaml' })
  const first = await deployment.spawn()
  await first.ready()
  const done = names('2024done', 5)
  await create(first, done)
  await until(() => allProcessed(first, done), 'the first transients processed', 30000, 100)
  const all = names('2024lost', 6)
  await create(first, all, { 'Task A': 'slow:60000' })
  await until(() => deployment.readInvocations().filter(row => row.name.startsWith('2024lost')).length === all.length, 'runs in flight', 30000, 50)
  const killedAt = Date.now()
  first.kill('SIGKILL')
  await first.exited

  // after the kill the runs come back as `processing` owned by a dead worker; the plugin now returns at once
  const second = await deployment.spawn({ env: { BLAST_TEST_FAST: '1' } })
  await second.ready()
  t.comment(`restarted in ${Date.now() - killedAt} ms (${deployment.database})`)
  await until(() => allProcessed(second, all), 'the lost runs recovered and processed', 60000, 250)
  t.comment(`recovered ${Date.now() - killedAt} ms after the kill (lease ${LEASE_SECONDS} s)`)
  t.ok(await allProcessed(second, done), 'what was processed before the kill is intact')
  const counts = tally(deployment.readInvocations())
  for (const name of all) {
    const a = (await registers(second, name)).get('Task A')!
    t.equal(counts.get(`${name}\tTask A`), 2, `${name}: Task A ran twice (lost, re-run once)`)
    t.equal(a.attempts, 2, `${name}: attempts count up`)
  }
  t.equal(await processingCount(second), 0, 'nothing is left processing')
})

t.test('a transient that kills every process running it is given up after three lost runs', async t => {
  const deployment = new Deployment(t, { manifest: 'two-steps.yaml' })
  const procs = onPostgres ? 2 : 1
  const spawned: RuntimeProcess[] = []
  for (let i = 0; i < procs; i++) spawned.push(await deployment.spawn())
  await Promise.all(spawned.map(proc => proc.ready()))
  // a supervisor: every process that dies is started again, as systemd or Kubernetes would
  let supervising = true
  let restarts = 0
  const supervise = async (proc: RuntimeProcess): Promise<void> => {
    await proc.exited
    if (!supervising) return
    restarts++
    const next = await deployment.spawn()
    spawned.push(next)
    void supervise(next)
  }
  for (const proc of [...spawned]) void supervise(proc)
  t.teardown(() => { supervising = false })

  const live = () => spawned.filter(proc => proc.alive && proc.lines.some(line => line.msg === 'blast-tasks running'))
  // the process may run Task A (and die) before it answers the POST: the transient is committed by then
  await create(spawned[0], ['2024poison'], { 'Task A': 'sigkill' }).catch(err => t.comment(`POST answered: ${err.message}`))
  const final = await until(async () => {
    const proc = live()[0]
    if (!proc) return false
    const a = await registers(proc, '2024poison').then(r => r.get('Task A'), () => undefined)
    return a && a.status !== 'processing' && a.status !== 'not processed' && a
  }, 'the poison transient given up', 150000, 500)
  supervising = false
  t.comment(`${restarts} restarts`)
  t.match(final, { status: 'failed', attempts: 3, last_error: /stopped while running; lost 3 times, giving up$/ }, 'failed after three lost runs')
  t.same(deployment.readInvocations().filter(row => row.name === '2024poison').map(row => row.attempt), [1, 2, 3], 'three attempts, counted up')
  t.equal(restarts, 3, 'each attempt took one process down')
  const proc = live()[0]
  await create(proc, ['2024after'])
  await until(() => allProcessed(proc, ['2024after']), 'a later transient processed', 30000, 100)
  t.pass('the runtime keeps serving other transients')
})
