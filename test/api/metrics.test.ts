// Truthful, cluster-wide metrics: the backlog per task and the runs in flight read from the registers,
// the last success of a system task from the history, runs counted with their outcome (status type),
// and the default process metrics — served by a `--no-api` worker's own probe port (buildProbes) as
// by the API. Values are asserted, not only that the page answers. On PostgreSQL a second process on
// the same database reports the same cluster gauges.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildProbes } from '../../runtime/api/probes.ts'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { DATABASE_URL, freshSchemas, onPostgres, startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))

/** every sample of the Prometheus text as `name{labels}` → value */
async function scrape (runtime: Runtime): Promise<Map<string, number>> {
  const probes = await buildProbes(runtime)
  try {
    const res = await probes.inject({ method: 'GET', url: '/metrics' })
    const out = new Map<string, number>()
    for (const line of res.body.split('\n')) {
      const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line)
      if (m) out.set(m[1], Number(m[2]))
    }
    return out
  } finally {
    await probes.close()
  }
}

const schemas = freshSchemas()
const runtime = await startTestRuntime(t, { manifest: MANIFEST, ...schemas })
const settled = () => waitFor(async () => {
  const { items } = await runtime.listTransients({ limit: 1000 })
  return items.every(x => x.processing_status !== 'processing') && (await runtime.getTask('Step one')).counts['not processed'] === undefined
}, { what: 'settled' })

t.test('the probes answer on a worker\'s own port', async t => {
  const probes = await buildProbes(runtime)
  t.teardown(() => probes.close())
  t.same((await probes.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' })
  t.same((await probes.inject({ method: 'GET', url: '/ready' })).json(), { status: 'ready' })
  t.equal((await probes.inject({ method: 'GET', url: '/api/v1/tasks' })).statusCode, 404, 'and nothing else')
})

t.test('backlog, in flight, runs by outcome, from the registers', async t => {
  await runtime.createTransients(Array.from({ length: 8 }, (_, i) => ({ name: `m${i}`, ra_deg: 1, dec_deg: 1, data: { bad: i < 2 } })))
  await settled()
  let m = await scrape(runtime)
  t.equal(m.get('blast_backlog{task="Check input",state="error"}'), 2, 'two registers in `bad input`, an error type')
  t.equal(m.get('blast_backlog{task="Step one",state="error"}'), 0)
  for (const task of ['Step one', 'Step two', 'Step three', 'Check input']) {
    t.equal(m.get(`blast_backlog{task="${task}",state="ready"}`), 0, `${task}: nothing ready`)
    t.equal(m.get(`blast_runs_in_flight{task="${task}"}`), 0, `${task}: nothing in flight`)
  }
  t.equal(m.get('blast_runs_total{task="Check input",status="bad input",outcome="error"}'), 2, 'runs by outcome: error')
  t.equal(m.get('blast_runs_total{task="Check input",status="processed",outcome="success"}'), 6, 'runs by outcome: success')
  t.ok((m.get('process_cpu_user_seconds_total') ?? 0) > 0, 'default process metrics')
  t.ok((m.get('nodejs_heap_size_used_bytes') ?? 0) > 0, 'default Node metrics')

  // Step two off: what Step one finishes waits for it, ready
  await runtime.setEnabled('Step two', false)
  await runtime.createTransients(Array.from({ length: 3 }, (_, i) => ({ name: `w${i}`, ra_deg: 1, dec_deg: 1 })))
  await waitFor(async () => (await runtime.getTask('Step one')).counts.processed === 11, { what: 'Step one ran the 3' })
  m = await scrape(runtime)
  t.equal(m.get('blast_backlog{task="Step two",state="ready"}'), 3, 'Step two: 3 ready while disabled')
  t.equal(m.get('blast_backlog{task="Step three",state="ready"}'), 0, 'Step three: waits on Step two, not ready')
  await runtime.setEnabled('Step two', null)
  await waitFor(async () => (await scrape(runtime)).get('blast_backlog{task="Step two",state="ready"}') === 0, { what: 'Step two drained' })
})

t.test('the last success of a system task', async t => {
  const before = Date.now() / 1000
  t.notOk([...(await scrape(runtime)).keys()].some(k => k.startsWith('blast_system_task_last_success_timestamp_seconds')), 'absent until it has run')
  await runtime.setEnabled('Heartbeat', true)
  await runtime.runTask('Heartbeat')
  const last = await waitFor(async () => (await scrape(runtime)).get('blast_system_task_last_success_timestamp_seconds{task="Heartbeat"}'), { what: 'Heartbeat succeeded' })
  t.ok(last >= Math.floor(before) && last <= Date.now() / 1000 + 1, 'its finish time')
})

t.test('another process on the same database reports the same cluster gauges', { skip: !onPostgres && 'one process only on the embedded database' }, async t => {
  // a second process: the first one's teardown drops the shared schemas
  const other = await Runtime.start({ manifest: MANIFEST, databaseUrl: DATABASE_URL, dataDir: null, ...schemas, logger: createLogger('silent'), shutdownGraceSeconds: 2 })
  t.teardown(() => other.stop())
  const [a, b] = [await scrape(runtime), await scrape(other)]
  for (const key of ['blast_backlog{task="Check input",state="error"}', 'blast_backlog{task="Step two",state="ready"}', 'blast_runs_in_flight{task="Step one"}']) {
    t.equal(b.get(key), a.get(key), key)
  }
  t.equal(b.get('blast_backlog{task="Check input",state="error"}'), 2)
  t.equal(b.get('blast_runs_total{task="Check input",status="bad input",outcome="error"}'), undefined, 'runs are counted where they ran (sum over instances)')
})
