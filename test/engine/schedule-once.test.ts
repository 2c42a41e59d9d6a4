// A schedule fires once per period: a system task on a 2 s ticker runs once in each period for at
// least 10 periods, with two processes on PostgreSQL (one on the embedded database), across their
// start-up runs, a reload in between, and a change of frequency_seconds to 3 s. Counted from the run
// history: runs per period, never two in one period.
import t from 'tap'
import { join } from 'node:path'
import { freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, sleep, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const manifestText = (seconds: number, note = '') => `version: 1${note}
tasks:
  - { name: Tick, kind: system, plugin: "{{plugins}}/slow-system.ts", frequency_seconds: ${seconds} }
`

/** runs per period (epoch-aligned, as the schedules are) of the runs started in [from, to), whole periods only */
function perPeriod (starts: readonly number[], periodMs: number, from: number, to: number): Map<number, number> {
  const counts = new Map<number, number>()
  for (let slot = Math.ceil(from / periodMs); (slot + 1) * periodMs <= to; slot++) counts.set(slot, 0)
  for (const start of starts) {
    const slot = Math.floor(start / periodMs)
    if (counts.has(slot)) counts.set(slot, counts.get(slot)! + 1)
  }
  return counts
}

t.test('a system task on a 2 s schedule runs once per period, across processes, a reload and a frequency change', async t => {
  process.env.BLAST_TEST_SYSTEM_MS = '50'
  t.teardown(() => { delete process.env.BLAST_TEST_SYSTEM_MS })
  const dir = tempDir(t)
  const manifest = writeManifest(dir, manifestText(2))
  const schemas = freshSchemas()
  const first = await startTestRuntime(t, { manifest, ...schemas })
  const runtimes = onPostgres ? [first, await startTestRuntime(t, { manifest, ...schemas })] : [first]
  // counted from the end of the first run: it starts a worker thread and compiles the plugin, which on
  // a loaded machine can outlast a 2 s period, and a fire while the task's run is in flight is dropped
  // (a system task runs at most once at a time)
  await waitFor(async () => (await allRuns(first, { task: 'Tick' })).some(run => run.finished_at), { timeoutMs: 60000, what: 'the first run' })
  const started = Date.now()

  // six periods, a reload of one process (same schedule: its start-up sweep must not fire again), six more
  await sleep(12000)
  writeManifest(dir, manifestText(2, '\n# touched'))
  t.equal((await first.reload()).ok, true, 'reloaded')
  await sleep(12000)
  const changing = Date.now()
  writeManifest(dir, manifestText(3))
  for (const runtime of runtimes) t.equal((await runtime.reload()).ok, true, 'reloaded at 3 s')
  const changed = Date.now()
  await sleep(18000)
  const ended = Date.now()

  const runs = (await allRuns(first, { task: 'Tick' })).filter(run => run.cause === 'sweep')
  const starts = runs.map(run => Date.parse(run.started_at)).sort((a, b) => a - b)
  const workers = new Set(runs.map(run => run.worker))
  t.comment(`${runs.length} runs by ${workers.size} process(es); gaps (ms): ${starts.slice(1).map((s, i) => s - starts[i]!).join(' ')}`)
  if (onPostgres) t.equal(workers.size, 2, 'both processes ran it')

  // from the first whole period after every process started to the change: 2 s periods
  const before = perPeriod(starts, 2000, started, changing)
  t.ok(before.size >= 10, `${before.size} whole periods of 2 s counted`)
  t.same([...before.values()].filter(n => n !== 1), [], `one run in each of ${before.size} periods of 2 s: ${[...before.values()].join(' ')}`)
  // after every process applied 3 s: 3 s periods
  const after = perPeriod(starts, 3000, changed, ended)
  t.ok(after.size >= 4, `${after.size} whole periods of 3 s counted`)
  t.same([...after.values()].filter(n => n !== 1), [], `one run in each of ${after.size} periods of 3 s: ${[...after.values()].join(' ')}`)
  // and nowhere, the change included, a double fire (two runs of one slot land milliseconds apart).
  // While the processes apply the change one after the other, a 2 s period and the 3 s period that
  // follows it may both run within 2 s: those are two periods of two schedules, not a double fire.
  const gaps = starts.slice(1).map((start, i) => start - starts[i]!)
  t.same(gaps.filter(gap => gap < 500), [], 'no two runs within half a second of each other')
})
