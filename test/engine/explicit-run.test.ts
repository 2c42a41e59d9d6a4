// A disabled task is never swept and never pushed to; an explicit run (runTask, the API's
// POST /tasks/{task}/run) runs it once, for one transient, for every eligible one, or a system task
// once, each run recorded with cause `api`. On the embedded database by default, on PostgreSQL with
// DATABASE_URL.
import t from 'tap'
import { join } from 'node:path'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, readCalls, sleep, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

const dir = tempDir(t)
const log = join(dir, 'calls.log')
process.env.BLAST_TEST_LOG = log
process.env.BLAST_TEST_SYSTEM_MS = '20'
t.teardown(() => { delete process.env.BLAST_TEST_LOG; delete process.env.BLAST_TEST_SYSTEM_MS })
const manifest = writeManifest(dir, `version: 1
tasks:
  - { name: Root, plugin: "{{plugins}}/behave.ts" }
  - { name: Gated, plugin: "{{plugins}}/behave.ts", prerequisites: { Root: processed }, enabled: false, frequency_seconds: 2 }
  - { name: Sys, kind: system, plugin: "{{plugins}}/slow-system.ts", enabled: false, frequency_seconds: 2 }
`)
const runtime = await startTestRuntime(t, { manifest })
const statusOf = async (name: string, task: string) => (await runtime.getTransient(name)).tasks.find(r => r.task === task)?.status

t.test('a disabled transient task runs once when asked: one transient, then every eligible one; never pushed to or swept', async t => {
  await runtime.createTransients(['a', 'b'].map(name => ({ name, ra_deg: 1, dec_deg: 1 })))
  await waitFor(async () => await statusOf('a', 'Root') === 'processed' && await statusOf('b', 'Root') === 'processed', { what: 'Root on a and b' })
  t.same(await runtime.runTask('Gated', 'a'), { queued: 1 }, 'one transient: queued')
  await waitFor(async () => await statusOf('a', 'Gated') === 'processed', { what: 'Gated on a' })
  t.equal(await statusOf('b', 'Gated'), 'not processed', 'only the transient asked for')

  t.same(await runtime.runTask('Gated'), { queued: 1 }, 'the whole task: every eligible transient (b)')
  await waitFor(async () => await statusOf('b', 'Gated') === 'processed', { what: 'Gated on b' })
  t.same((await allRuns(runtime, { task: 'Gated' })).map(run => [run.transient, run.cause, run.status]).sort(),
    [['a', 'api', 'processed'], ['b', 'api', 'processed']], 'each ran once, recorded with its cause')

  // still disabled: a new transient is pushed to Root, and Gated, ready behind it, neither runs nor is swept (2 s)
  await runtime.createTransients([{ name: 'c', ra_deg: 1, dec_deg: 1 }])
  await waitFor(async () => await statusOf('c', 'Root') === 'processed', { what: 'Root on c' })
  await sleep(5000)
  t.equal(await statusOf('c', 'Gated'), 'not processed', 'a disabled task is not pushed to nor swept')
  t.same(readCalls(log).filter(call => call.task === 'Gated').map(call => call.transient).sort(), ['a', 'b'], 'the plugin was called twice')
  t.same((await runtime.getTask('Gated')).enabled, { declared: false, effective: false, override: null }, 'and the task stays disabled')
})

t.test('a disabled system task runs once when asked, and not on its schedule', async t => {
  t.same(await runtime.runTask('Sys'), { queued: 1 })
  await waitFor(async () => (await allRuns(runtime, { task: 'Sys' })).length === 1, { what: 'the run of Sys' })
  await sleep(5000) // two periods of its schedule
  t.same((await allRuns(runtime, { task: 'Sys' })).map(run => [run.cause, run.status]), [['api', 'processed']], 'one run, cause api')
})
