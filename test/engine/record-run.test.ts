// Control.recordRun, what `blast-tasks run --commit` writes through: a run made outside the workers
// is recorded like a worker's (register, attempts, output, progress, run history) and what it made
// ready is queued; a register a worker holds, an undeclared status, a system task are refused and
// nothing is written. On the embedded database by default, on PostgreSQL with DATABASE_URL.
import t from 'tap'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { allRuns, sql, tempDir, writeManifest } from '../fixtures/engine/harness.ts'
import type { RecordedRun } from '../../runtime/index.ts'

const dir = tempDir(t)
const manifest = writeManifest(dir, `version: 1
tasks:
  - { name: Root, plugin: "{{plugins}}/behave.ts", enabled: false }
  - { name: Child, plugin: "{{plugins}}/behave.ts", prerequisites: { Root: processed } }
  - { name: Sys, kind: system, plugin: "{{plugins}}/slow-system.ts", enabled: false }
`)
const runtime = await startTestRuntime(t, { manifest })
const register = async (name: string, task: string) => (await runtime.getTransient(name)).tasks.find(r => r.task === task)!
const recorded = (fields: Partial<RecordedRun> = {}): RecordedRun => ({
  status: 'processed', output: { by: 'hand' }, error: null, started_at: new Date().toISOString(), duration_ms: 12,
  worker: 'cli:test', action: 'recorded by the test', ...fields
})

t.test('a recorded run is written like a worker\'s, and what it made ready runs', async t => {
  await runtime.createTransients([{ name: 'a', ra_deg: 1, dec_deg: 1 }])
  t.same(await runtime.recordRun('a', 'Root', recorded(), 'cli'), { ready: ['Child'] }, 'Child became eligible')
  t.match(await register('a', 'Root'), { status: 'processed', attempts: 1, output: { by: 'hand' }, duration_ms: 12, last_error: null })
  t.match(await allRuns(runtime, { task: 'Root' }), [{ transient: 'a', status: 'processed', cause: 'cli', action: 'recorded by the test', worker: 'cli:test', output: { by: 'hand' } }])
  await waitFor(async () => (await register('a', 'Child')).status === 'processed', { what: 'Child queued and run' })
  t.match(await runtime.getTransient('a'), { progress: 100, processing_status: 'completed' })

  const threw = recorded({ status: 'failed', output: undefined, error: { message: 'boom', stack: 'Error: boom' } })
  t.same(await runtime.recordRun('a', 'Root', threw, 'api'), { ready: [] })
  t.match(await register('a', 'Root'), { status: 'failed', attempts: 2, output: { by: 'hand' }, last_error: 'boom' }, 'a throw keeps the stored output')
})

t.test('refused: a register a worker holds, an undeclared status, a system task; nothing written', async t => {
  await runtime.createTransients([{ name: 'b', ra_deg: 1, dec_deg: 1 }])
  await sql(runtime, `UPDATE {s}.task_status SET status = 'processing', owner = 'someone:1' WHERE task = 'Root'
    AND transient_id = (SELECT id FROM {s}.transient WHERE name = 'b')`)
  await t.rejects(runtime.recordRun('b', 'Root', recorded(), 'cli'), { code: 'BLAST_RUN_REFUSED', statusCode: 409, message: /a worker \(someone:1\) is running "Root" on "b" now/ })
  await sql(runtime, `UPDATE {s}.task_status SET status = 'not processed', owner = NULL WHERE task = 'Root'
    AND transient_id = (SELECT id FROM {s}.transient WHERE name = 'b')`)
  await t.rejects(runtime.recordRun('b', 'Root', recorded({ status: 'nope' }), 'cli'), { code: 'BLAST_RUN_REFUSED', message: /status "nope" is not declared/ })
  await t.rejects(runtime.recordRun('b', 'Sys', recorded(), 'cli'), { code: 'BLAST_NOT_A_TRANSIENT_TASK' })
  await t.rejects(runtime.recordRun('b', 'Nope', recorded(), 'cli'), { code: 'BLAST_TASK_NOT_FOUND' })
  await t.rejects(runtime.recordRun('zz', 'Root', recorded(), 'cli'), { code: 'BLAST_TRANSIENT_NOT_FOUND' })
  t.match(await register('b', 'Root'), { status: 'not processed', attempts: 0 })
  t.same((await allRuns(runtime, { transient: 'b', task: 'Root' })).length, 0, 'no run history')
})
