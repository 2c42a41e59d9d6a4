// The boundary around plugins (runtime/pool.ts): every fault a plugin can cause — an endless loop,
// an unhandled rejection, a throw in a timer, a throw of a value that cannot be turned into text,
// heap exhaustion, an output past its bound, process.exit — ends that run in a defined status with
// the real error, while healthy runs in flight beside it run once and finish (proved from a call
// log written outside the runtime), and the runtime keeps serving. A run that computes for 30 s
// keeps its claim (the heartbeat beats), runs once, and /health answers meanwhile.
import { readFileSync, existsSync } from 'node:fs'
import t from 'tap'
import { Deployment, DATABASE_URL, until } from './fixtures/harness.ts'

const FAULTS: Record<string, { status: string; error: RegExp }> = {
  Endless: { status: 'time limit exceeded', error: /^exceeded timeout_seconds=2$/ },
  Unhandled: { status: 'failed', error: /^unhandled rejection: a promise nobody awaited$/ },
  'Timer throw': { status: 'failed', error: /^uncaught exception: thrown in a timer$/ },
  'Null proto': { status: 'failed', error: /^a thrown value that is not an Error: \{\}$/ },
  Proxy: { status: 'failed', error: /^a thrown value that cannot be turned into text$/ },
  Heap: { status: 'failed', error: /^the run exceeded its memory limit \(memory_mb=64, the worker's heap\)$/ },
  'Big output': { status: 'failed', error: /^process\(\) returned \d{7} bytes of output; the bound is max_output_bytes=1048576$/ },
  'Exit in run': { status: 'failed', error: /^plugin of "Exit in run" called process\.exit\(9\); a plugin may not end the runtime$/ }
}
const COMPANIONS = ['Companion A', 'Companion B', 'After companions']

function callLog (file: string): Array<{ name: string; task: string; attempt: number; what: string }> {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(row => {
    const [name, task, attempt, , what] = row.split('\t')
    return { name: name!, task: task!, attempt: Number(attempt), what: what! }
  })
}

t.test('each fault stays inside its run; the runs beside it run once and finish', async t => {
  const deployment = new Deployment(t, { manifest: 'boundary.yaml' })
  const proc = await deployment.spawn({ env: { BLAST_POOL_SIZE: '2' } })
  await proc.ready()
  const names = ['2025fa', '2025fb', '2025fc']
  const { status } = await proc.api('POST', '/api/v1/transients', names.map((name, i) => ({ name, ra_deg: i, dec_deg: 0 })))
  t.equal(status, 201, 'transients created')
  const healthy: number[] = []
  const settled = async (name: string) => {
    const health = await proc.api('GET', '/health')
    healthy.push(health.status)
    const { body } = await proc.api('GET', `/api/v1/transients/${name}`)
    return body.tasks.every((r: { status: string }) => r.status !== 'not processed' && r.status !== 'processing') && body
  }
  for (const name of names) {
    const detail = await until(() => settled(name), `${name} settled`, 120000, 250)
    for (const register of detail.tasks) {
      const want = FAULTS[register.task] ?? { status: 'processed', error: /^$/ }
      t.equal(register.status, want.status, `${name} ${register.task}: ${want.status}`)
      t.match(register.last_error ?? '', want.error, `${name} ${register.task}: its real error`)
      t.equal(register.attempts, 1, `${name} ${register.task}: one attempt`)
    }
  }
  t.ok(healthy.length > 0 && healthy.every(code => code === 200), '/health answered 200 every time it was asked while the faults ran')
  t.ok(proc.alive, 'the runtime lives')

  const calls = callLog(deployment.invocations)
  for (const name of names) {
    for (const task of COMPANIONS) {
      const mine = calls.filter(call => call.name === name && call.task === task)
      t.same(mine.map(call => call.what), ['start', 'end'], `${name} ${task}: ran once and finished`)
    }
  }
  const { body: runs } = await proc.api('GET', '/api/v1/runs?task=Companion%20A&limit=100')
  t.equal(runs.items.length, names.length, 'the history holds one run of a companion per transient')
  t.notOk(runs.items.some((run: { action: string | null }) => run.action), 'none released or recovered')
})

t.test('a run computing for 30 s keeps its claim, runs once, and /health answers meanwhile', async t => {
  const deployment = new Deployment(t, { manifest: 'compute.yaml' })
  // two processes on PostgreSQL (the embedded database belongs to one process)
  const procs = [await deployment.spawn()]
  if (DATABASE_URL) procs.push(await deployment.spawn({ api: false }))
  await Promise.all(procs.map(proc => proc.ready()))
  const [api] = procs
  const { status } = await api!.api('POST', '/api/v1/transients', [{ name: '2025cpu', ra_deg: 1, dec_deg: 1, data: { compute_ms: 30000 } }])
  t.equal(status, 201, 'transient created')
  const answers: number[] = []
  const detail = await until(async () => {
    answers.push((await api!.api('GET', '/health')).status)
    const { body } = await api!.api('GET', '/api/v1/transients/2025cpu')
    return body.tasks[0].status === 'processed' && body
  }, 'the 30 s run processed', 180000, 1000)
  t.equal(detail.tasks[0].attempts, 1, 'one attempt')
  t.ok(answers.length >= 10 && answers.every(code => code === 200), `/health answered 200 all ${answers.length} times while the run computed`)
  t.equal(callLog(deployment.invocations).length, 1, 'the plugin ran exactly once')
  const { body: runs } = await api!.api('GET', '/api/v1/runs?transient=2025cpu')
  t.match(runs.items, [{ status: 'processed', attempt: 1, action: null }], 'one run in the history, not recovered')
  t.equal(runs.items.length, 1, 'and only one')
})
