// The run pool on its own (runtime/pool.ts): where runs are placed and what happens to the runs
// beside a fault. CPU-bound runs each get a worker of their own, never more than the pool's size
// at once; an I/O-bound task graduates to a shared worker where many of its runs wait side by side;
// a shared worker that stops answering gives its runs back (released) and its tasks go back to
// workers of their own; a task's concurrency bounds its runs in flight; stop releases what is left.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { RunPool, type PoolOutcome, type PoolTask } from '../../runtime/pool.ts'
import { createLogger } from '../../runtime/logger.ts'

const log = createLogger('silent')
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/pool/${name}`, import.meta.url))
const task = (name: string, plugin: string, extra: Partial<PoolTask> = {}): PoolTask => ({
  name, plugin: fixture(plugin), system: false, timeoutSeconds: 60, memoryMb: 256, maxOutputBytes: 1 << 20, concurrency: 100, ...extra
})
const threadOf = (outcome: PoolOutcome) => outcome.kind === 'returned' ? JSON.parse(outcome.json!).output.thread as number : -1

t.test('CPU-bound runs: one per worker, at most the pool size at once', async t => {
  const pool = new RunPool({ size: 2, log })
  t.teardown(() => pool.stop(0))
  const spin = task('Spin', 'spin.ts')
  let peak = 0
  const watch = setInterval(() => { peak = Math.max(peak, pool.workers) }, 5)
  const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.run({ task: spin, attempt: 1, transient: { name: `s${i}`, data: { ms: 100 } }, log })))
  clearInterval(watch)
  t.ok(outcomes.every(o => o.kind === 'returned'), 'every run returned')
  t.equal(new Set(outcomes.map(threadOf)).size, 2, 'the runs used both workers')
  t.ok(peak <= 2, `never more than 2 workers (saw ${peak})`)
})

t.test('an I/O-bound task shares one worker once its runs wait with the loop free', async t => {
  const pool = new RunPool({ size: 2, log })
  t.teardown(() => pool.stop(0))
  const wait = task('Wait', 'wait.ts')
  // The first runs take a worker each; once one has waited 150 ms with its loop free, the rest share.
  // Two rounds: on a loaded machine a fresh worker's own start-up (compiling, collecting) can keep its
  // loop busy past the 50 ms a free run may use; the second round runs in workers already warm.
  const first: PoolOutcome[] = []
  for (const round of [0, 1]) {
    first.push(...await Promise.all([0, 1].map(i => pool.run({ task: wait, attempt: 1, transient: { name: `w${round}${i}`, data: { ms: 400 } }, log }))))
  }
  const rest = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run({ task: wait, attempt: 1, transient: { name: `r${i}`, data: { ms: 300 } }, log })))
  t.ok([...first, ...rest].every(o => o.kind === 'returned'), 'every run returned')
  t.equal(new Set(rest.map(threadOf)).size, 1, 'the 20 later runs shared one worker')
})

t.test("a task's concurrency bounds its runs in flight", async t => {
  const pool = new RunPool({ size: 2, log })
  t.teardown(() => pool.stop(0))
  const wait = task('Bounded', 'wait.ts', { concurrency: 3 })
  const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => pool.run({ task: wait, attempt: 1, transient: { name: `b${i}`, data: { ms: 200 } }, log })))
  const spans = outcomes.map(o => o.kind === 'returned' ? JSON.parse(o.json!).output as { start: number; end: number } : null)
  t.ok(spans.every(Boolean), 'every run returned')
  // the most runs whose spans overlap at one instant
  const overlap = Math.max(...spans.map(a => spans.filter(b => b!.start <= a!.start && a!.start < b!.end).length))
  t.ok(overlap <= 3, `at most 3 at once (saw ${overlap})`)
  t.ok(overlap >= 2, `and more than one (saw ${overlap})`)
})

t.test('a shared worker that stops answering releases its runs; its tasks go back to workers of their own', async t => {
  const pool = new RunPool({ size: 2, log })
  t.teardown(() => pool.stop(0))
  const wait = task('Then spin', 'wait.ts')
  // graduate the task: runs that wait with the loop free
  await Promise.all([0, 1, 2].map(i => pool.run({ task: wait, attempt: 1, transient: { name: `g${i}`, data: { ms: 300 } }, log })))
  // a plugin of the same file that now holds the loop: the same task, sharing a worker with a waiting run
  const spinning = task('Then spin', 'spin.ts')
  const beside = pool.run({ task: wait, attempt: 1, transient: { name: 'beside', data: { ms: 30000 } }, log })
  await new Promise(resolve => setTimeout(resolve, 300))
  const culprit = pool.run({ task: spinning, attempt: 1, transient: { name: 'culprit', data: { ms: 20000 } }, log })
  const [a, b] = await Promise.all([beside, culprit])
  t.equal(a.kind, 'released', 'the run beside it is released to run again')
  t.equal(b.kind, 'released', 'the culprit too: a shared worker cannot tell who held it')
  const again = await pool.run({ task: spinning, attempt: 1, transient: { name: 'again', data: { ms: 50 } }, log })
  t.equal(again.kind, 'returned', 'the task runs again, in a worker of its own')
})

t.test('stop releases the runs still in flight after the grace period', async t => {
  const pool = new RunPool({ size: 1, log })
  const wait = task('Long', 'wait.ts')
  const run = pool.run({ task: wait, attempt: 1, transient: { name: 'long', data: { ms: 60000 } }, log })
  await new Promise(resolve => setTimeout(resolve, 500))
  await pool.stop(100)
  const outcome = await run
  t.equal(outcome.kind, 'released')
  t.match(outcome.kind === 'released' ? outcome.error.message : '', /shutting down/)
  t.equal((await pool.run({ task: wait, attempt: 1, transient: { name: 'late', data: {} }, log })).kind, 'released', 'a run after stop is released at once')
})
