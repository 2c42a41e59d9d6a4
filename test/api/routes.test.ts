// Every route of the control API through inject(), on a real runtime (embedded database, or a fresh
// schema on PostgreSQL with DATABASE_URL) running the fixture pipeline of test/api/fixtures/.
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))
const TOKEN = 'test-token-0123456789abcdef'
const TRANSIENT_TASKS = ['Step one', 'Step two', 'Step three', 'Check input']

const runtime = await startTestRuntime(t, { manifest: MANIFEST })
const app = await buildApi(runtime, { token: TOKEN })
t.teardown(() => app.close())

interface Call { status: number; body: any; headers: Record<string, unknown>; text: string }

async function call(method: InjectOptions['method'], url: string, options: { payload?: unknown; token?: string | null; headers?: Record<string, string>; on?: FastifyInstance } = {}): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers }
  const token = options.token === undefined ? TOKEN : options.token
  if (token !== null) headers.authorization = `Bearer ${token}`
  const res = await (options.on ?? app).inject({ method, url, headers, payload: options.payload as InjectOptions['payload'] })
  let body: unknown = null
  try { body = res.json() } catch { body = null }
  return { status: res.statusCode, body, headers: res.headers, text: res.body }
}

/** The one error shape, with its status, code and message. */
function isError(t: Test, res: Call, statusCode: number, code: string, message?: RegExp | string): void {
  t.equal(res.status, statusCode, `status ${statusCode} (${res.text})`)
  t.same(Object.keys(res.body ?? {}).sort(), ['code', 'error', 'message', 'statusCode'], 'the error shape')
  t.equal(res.body?.statusCode, statusCode)
  t.equal(res.body?.code, code)
  if (message !== undefined) t.match(res.body?.message, message)
  t.notMatch(res.text, /\n\s+at /, 'no stack trace')
}

const detail = async (name: string) => (await call('GET', `/api/v1/transients/${name}`)).body
const settled = (name: string, status = 'completed') =>
  waitFor(async () => (await detail(name)).processing_status === status, { what: `${name} ${status}` })

t.test('probes, docs and metrics are open', async (t) => {
  t.same((await call('GET', '/health', { token: null })).body, { status: 'ok' })
  t.same((await call('GET', '/ready', { token: null })).body, { status: 'ready' })
  const ui = await call('GET', '/docs', { token: null })
  t.equal(ui.status, 200, 'Swagger UI')
  t.match(ui.headers['content-security-policy'], /script-src 'self'/)
  t.notMatch(ui.headers['content-security-policy'], /upgrade-insecure-requests/, 'works over plain HTTP')
  t.equal((await call('HEAD', '/api/v1/tasks', { token: null })).status, 200, 'HEAD on a read')
  const doc = await call('GET', '/docs/json', { token: null })
  t.equal(doc.status, 200)
  t.equal(doc.body.openapi, '3.1.0')
  t.same(doc.body.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', description: doc.body.components.securitySchemes.bearerAuth.description })
  const metrics = await call('GET', '/metrics', { token: null })
  t.equal(metrics.status, 200)
  t.match(metrics.headers['content-type'], /^text\/plain/)
})

t.test('statuses and tasks', async (t) => {
  const statuses = (await call('GET', '/api/v1/statuses', { token: null })).body.items
  t.match(statuses, [{ message: 'not processed', type: 'blank', builtin: true }])
  t.match(statuses.find((s: { message: string }) => s.message === 'bad input'), { type: 'error', builtin: false, description: /bad/ })

  const tasks = (await call('GET', '/api/v1/tasks', { token: null })).body.items
  t.same(tasks.map((x: { name: string }) => x.name).sort(), [...TRANSIENT_TASKS, 'Heartbeat'].sort())

  const two = await call('GET', '/api/v1/tasks/Step%20two')
  t.equal(two.status, 200)
  t.match(two.body, {
    name: 'Step two',
    slug: 'step-two',
    kind: 'transient',
    plugin: 'plugins/step-two.ts',
    prerequisites: { 'Step one': 'processed' },
    failed_status: 'failed',
    frequency_seconds: 2,
    schedule: { kind: String, every_seconds: 2 },
    enabled: { declared: true, override: null, effective: true },
    counts: Object
  })
  t.match((await call('GET', '/api/v1/tasks/Heartbeat')).body, { kind: 'system', enabled: { declared: false, effective: false } })

  isError(t, await call('GET', '/api/v1/tasks/Nope'), 404, 'BLAST_TASK_NOT_FOUND', /task "Nope" is not declared; declared: .*Step one/)
})

t.test('enable and disable a task (persisted override)', async (t) => {
  const off = await call('PATCH', '/api/v1/tasks/Step%20three', { payload: { enabled: false } })
  t.equal(off.status, 200)
  t.same(off.body.enabled, { declared: true, override: false, effective: false })
  t.same((await call('GET', '/api/v1/tasks/Step%20three')).body.enabled, { declared: true, override: false, effective: false })

  const back = await call('PATCH', '/api/v1/tasks/Step%20three', { payload: { enabled: null } })
  t.same(back.body.enabled, { declared: true, override: null, effective: true })

  const on = await call('PATCH', '/api/v1/tasks/Heartbeat', { payload: { enabled: true } })
  t.same(on.body.enabled, { declared: false, override: true, effective: true })
  await call('PATCH', '/api/v1/tasks/Heartbeat', { payload: { enabled: null } })

  isError(t, await call('PATCH', '/api/v1/tasks/Step%20three', { payload: { enabled: 'no' } }), 400, 'BLAST_BAD_REQUEST', 'body/enabled must be boolean,null')
  isError(t, await call('PATCH', '/api/v1/tasks/Step%20three', { payload: { enabled: 0 } }), 400, 'BLAST_BAD_REQUEST', 'body/enabled must be boolean,null')
  isError(t, await call('PATCH', '/api/v1/tasks/Step%20three', { payload: {} }), 400, 'BLAST_BAD_REQUEST', "body must have required property 'enabled'")
  isError(t, await call('PATCH', '/api/v1/tasks/Step%20three', { payload: { enabled: false, frequency: 5 } }), 400, 'BLAST_BAD_REQUEST', 'body has unknown property "frequency"')
  isError(t, await call('PATCH', '/api/v1/tasks/Nope', { payload: { enabled: false } }), 404, 'BLAST_TASK_NOT_FOUND')
  t.same((await call('GET', '/api/v1/tasks/Step%20three')).body.enabled.effective, true, 'rejected calls changed nothing')
})

t.test('create transients and follow them through the pipeline', async (t) => {
  const one = await call('POST', '/api/v1/transients', {
    payload: { name: '2024abc', ra_deg: 10.5, dec_deg: -5, public_timestamp: '2024-01-02T03:04:05Z', redshift: 0.03, data: { survey: 'ZTF' } }
  })
  t.equal(one.status, 201)
  t.match(one.body.created, [{ name: '2024abc', ra_deg: 10.5, dec_deg: -5, redshift: 0.03, data: { survey: 'ZTF' }, processing_status: 'processing' }])

  const many = await call('POST', '/api/v1/transients', {
    payload: [{ name: 'bad1', ra_deg: 0, dec_deg: 90, data: { bad: true } }, { name: 'Z', ra_deg: 359.99, dec_deg: -90, public_timestamp: null, redshift: null }]
  })
  t.equal(many.status, 201)
  t.same(many.body.created.map((x: { name: string }) => x.name), ['bad1', 'Z'])

  await settled('2024abc')
  await settled('Z')
  await settled('bad1', 'blocked')

  const done = await detail('2024abc')
  t.match(done, { name: '2024abc', progress: 100, processing_status: 'completed', public_timestamp: /^2024-01-02T03:04:05/ })
  t.same(done.tasks.map((r: { task: string }) => r.task).sort(), [...TRANSIENT_TASKS].sort())
  t.match(done.tasks.find((r: { task: string }) => r.task === 'Step three'), {
    status: 'processed', type: 'success', attempts: 1, output: { step: 'three' }, last_error: null, in_manifest: true, duration_ms: Number
  })
  const bad = await detail('bad1')
  t.match(bad.tasks.find((r: { task: string }) => r.task === 'Check input'), { status: 'bad input', type: 'error' })

  isError(t, await call('GET', '/api/v1/transients/nope'), 404, 'BLAST_TRANSIENT_NOT_FOUND', 'transient "nope" does not exist')
  isError(t, await call('GET', '/api/v1/transients/-nope'), 400, 'BLAST_BAD_REQUEST', /^params\/name must match pattern/)
})

/** the value of one Prometheus sample, as `name{label="value",…}`, from the /metrics text; undefined when absent */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = match[2]!.split(',')
    if (wanted.length === have.length && wanted.every((w) => have.includes(w))) return Number(match[3])
  }
  return undefined
}

t.test('/metrics counts the runs the pipeline made', async (t) => {
  const res = await call('GET', '/metrics', { token: null })
  t.equal(res.status, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  // three transients went through the chain; bad1 ended Check input in `bad input`
  for (const task of ['Step one', 'Step two', 'Step three']) {
    t.equal(sample(res.text, 'blast_runs_total', { task, status: 'processed', outcome: 'success' }), 3, `${task}: 3 runs processed`)
    t.equal(sample(res.text, 'blast_run_duration_seconds_count', { task }), 3, `${task}: 3 durations`)
    t.ok(sample(res.text, 'blast_run_duration_seconds_sum', { task })! > 0, `${task}: time was spent`)
    t.equal(sample(res.text, 'blast_backlog', { task, state: 'ready' }), 0, `${task}: nothing waiting`)
  }
  t.equal(sample(res.text, 'blast_runs_total', { task: 'Check input', status: 'processed', outcome: 'success' }), 2)
  t.equal(sample(res.text, 'blast_runs_total', { task: 'Check input', status: 'bad input', outcome: 'error' }), 1)
  t.equal(sample(res.text, 'blast_runs_total', { task: 'Step one', status: 'failed', outcome: 'error' }), undefined, 'no failure counted')
  // and they agree with the run history
  const history = (await call('GET', '/api/v1/runs?task=Step%20two&limit=1000')).body.items
  t.equal(history.filter((r: { status: string; action: string | null }) => r.status === 'processed' && r.action === null).length, 3)
})

t.test('list transients: filters and pages', async (t) => {
  const all = (await call('GET', '/api/v1/transients')).body
  t.same(all.items.map((x: { name: string }) => x.name).sort(), ['2024abc', 'Z', 'bad1'].sort())
  t.equal(all.next_cursor, null)

  const names: string[] = []
  let cursor: string | null = null
  do {
    const page: Call = await call('GET', `/api/v1/transients?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    t.equal(page.status, 200)
    t.ok(page.body.items.length <= 1)
    names.push(...page.body.items.map((x: { name: string }) => x.name))
    cursor = page.body.next_cursor
  } while (cursor !== null)
  t.same(names, all.items.map((x: { name: string }) => x.name), 'pages add up to the whole list, in order')

  t.same((await call('GET', '/api/v1/transients?processing_status=blocked')).body.items.map((x: { name: string }) => x.name), ['bad1'])
  t.same((await call('GET', '/api/v1/transients?task=Check%20input&status=bad%20input')).body.items.map((x: { name: string }) => x.name), ['bad1'])

  isError(t, await call('GET', '/api/v1/transients?limit=0'), 400, 'BLAST_BAD_REQUEST', 'querystring/limit must be >= 1')
  isError(t, await call('GET', '/api/v1/transients?limit=1001'), 400, 'BLAST_BAD_REQUEST', 'querystring/limit must be <= 1000')
  isError(t, await call('GET', '/api/v1/transients?limit=ten'), 400, 'BLAST_BAD_REQUEST', 'querystring/limit must be integer')
  isError(t, await call('GET', '/api/v1/transients?processing_status=done'), 400, 'BLAST_BAD_REQUEST',
    'querystring/processing_status must be one of: processing, blocked, completed')
  isError(t, await call('GET', '/api/v1/transients?sort=name'), 400, 'BLAST_BAD_REQUEST', 'querystring has unknown property "sort"')
})

t.test('creating transients: every rule answers 400 and names the field', async (t) => {
  const ok = { name: 'ok1', ra_deg: 1, dec_deg: 1 }
  const cases: Array<[string, unknown, string | RegExp]> = [
    ['name pattern', { ...ok, name: '-bad' }, /^body\/name must match pattern/],
    ['name with a space', { ...ok, name: 'a b' }, /^body\/name must match pattern/],
    ['name too long', { ...ok, name: 'a'.repeat(65) }, 'body/name must NOT have more than 64 characters'],
    ['ra_deg 360', { ...ok, ra_deg: 360 }, 'body/ra_deg must be < 360'],
    ['ra_deg negative', { ...ok, ra_deg: -0.1 }, 'body/ra_deg must be >= 0'],
    ['dec_deg above 90', { ...ok, dec_deg: 90.5 }, 'body/dec_deg must be <= 90'],
    ['dec_deg below -90', { ...ok, dec_deg: -91 }, 'body/dec_deg must be >= -90'],
    ['ra_deg null is not coerced to 0', { ...ok, ra_deg: null }, 'body/ra_deg must be number'],
    ['ra_deg text is not coerced', { ...ok, ra_deg: '12' }, 'body/ra_deg must be number'],
    ['redshift negative', { ...ok, redshift: -0.1 }, 'body/redshift must be >= 0'],
    ['public_timestamp not a date', { ...ok, public_timestamp: 'yesterday' }, 'body/public_timestamp must match format "date-time"'],
    ['public_timestamp without a zone', { ...ok, public_timestamp: '2024-01-01T00:00:00' }, 'body/public_timestamp must match format "date-time"'],
    ['data not an object', { ...ok, data: 'x' }, 'body/data must be object'],
    ['dec_deg missing', { name: 'ok1', ra_deg: 1 }, "body must have required property 'dec_deg'"],
    ['unknown property', { ...ok, tns_id: 5 }, 'body has unknown property "tns_id"'],
    ['empty array', [], 'body must NOT have fewer than 1 items'],
    ['bad item in an array', [ok, { ...ok, name: 'ok2', dec_deg: 100 }], 'body/1/dec_deg must be <= 90'],
    ['a number', 42, 'body must be object or array']
  ]
  for (const [what, payload, message] of cases) {
    isError(t, await call('POST', '/api/v1/transients', { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }), 400, 'BLAST_BAD_REQUEST', message)
  }
  t.equal((await call('GET', '/api/v1/transients/ok1')).status, 404, 'nothing was created')

  isError(t, await call('POST', '/api/v1/transients', { payload: '{"name":', headers: { 'content-type': 'application/json' } }), 400, 'BLAST_MALFORMED_BODY', /JSON/)
  isError(t, await call('POST', '/api/v1/transients', { payload: '', headers: { 'content-type': 'application/json' } }), 400, 'BLAST_MALFORMED_BODY', /empty/)
  isError(t, await call('POST', '/api/v1/transients', { payload: '{"__proto__":{"x":1}}', headers: { 'content-type': 'application/json' } }), 400, 'BLAST_MALFORMED_BODY')
  isError(t, await call('POST', '/api/v1/transients', { payload: '<t/>', headers: { 'content-type': 'application/xml' } }), 415, 'BLAST_UNSUPPORTED_MEDIA_TYPE',
    'content-type application/xml is not accepted here; accepted: application/json')
  const big = { ...ok, data: { blob: 'x'.repeat(1024 * 1024) } }
  isError(t, await call('POST', '/api/v1/transients', { payload: big }), 413, 'BLAST_BODY_TOO_LARGE', 'the request body is larger than the limit of 1048576 bytes')
})

t.test('creating existing transients is a 409 naming them, and creates none', async (t) => {
  const res = await call('POST', '/api/v1/transients', {
    payload: [{ name: 'fresh1', ra_deg: 1, dec_deg: 1 }, { name: '2024abc', ra_deg: 1, dec_deg: 1 }, { name: 'Z', ra_deg: 1, dec_deg: 1 }]
  })
  isError(t, res, 409, 'BLAST_TRANSIENT_EXISTS', /2024abc.*Z|Z.*2024abc/)
  t.equal((await call('GET', '/api/v1/transients/fresh1')).status, 404)
})

t.test('PUT creates (201) or updates (200) a transient', async (t) => {
  const created = await call('PUT', '/api/v1/transients/2024put', { payload: { ra_deg: 1, dec_deg: 2, data: { v: 1 } } })
  t.equal(created.status, 201)
  t.equal(created.headers.location, '/api/v1/transients/2024put')
  t.match(created.body, { name: '2024put', ra_deg: 1, dec_deg: 2, data: { v: 1 } })

  const updated = await call('PUT', '/api/v1/transients/2024put', { payload: { name: '2024put', ra_deg: 3, dec_deg: 4, redshift: 0.5 } })
  t.equal(updated.status, 200)
  t.match(updated.body, { name: '2024put', ra_deg: 3, dec_deg: 4, redshift: 0.5 })
  t.same(updated.body.data, {}, 'PUT replaces: a field left out is cleared')

  isError(t, await call('PUT', '/api/v1/transients/2024put', { payload: { name: 'other', ra_deg: 3, dec_deg: 4 } }), 400, 'BLAST_BAD_REQUEST',
    'body/name "other" differs from the name in the path "2024put"')
  isError(t, await call('PUT', '/api/v1/transients/2024put', { payload: { dec_deg: 4 } }), 400, 'BLAST_BAD_REQUEST', "body must have required property 'ra_deg'")
  isError(t, await call('PUT', '/api/v1/transients/a_', { payload: { ra_deg: 3, dec_deg: 4 } }), 400, 'BLAST_BAD_REQUEST', /^params\/name must match pattern/)
  await settled('2024put')
})

t.test('DELETE removes a transient', async (t) => {
  const gone = await call('DELETE', '/api/v1/transients/2024put')
  t.equal(gone.status, 204)
  t.equal(gone.text, '')
  isError(t, await call('GET', '/api/v1/transients/2024put'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
  isError(t, await call('DELETE', '/api/v1/transients/2024put'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
})

t.test('retrigger, reprocess and reset (partial update)', async (t) => {
  const retrigger = await call('POST', '/api/v1/transients/bad1/retrigger')
  t.equal(retrigger.status, 200)
  t.same(retrigger.body, { transient: 'bad1', reset: ['Check input'] })
  await settled('bad1', 'blocked')

  const reprocess = await call('POST', '/api/v1/transients/2024abc/reprocess')
  t.same(reprocess.body.transient, '2024abc')
  t.same([...reprocess.body.reset].sort(), [...TRANSIENT_TASKS].sort())
  await settled('2024abc')

  const cascade = await call('POST', '/api/v1/transients/2024abc/tasks/Step%20one/reset')
  t.same(cascade.body, { transient: '2024abc', reset: ['Step one', 'Step two', 'Step three'] }, 'cascade is the default')
  await settled('2024abc')
  const single = await call('POST', '/api/v1/transients/2024abc/tasks/Step%20two/reset', { payload: { cascade: false } })
  t.same(single.body, { transient: '2024abc', reset: ['Step two'] })
  await settled('2024abc')

  isError(t, await call('POST', '/api/v1/transients/2024abc/tasks/Step%20two/reset', { payload: { cascade: 'yes' } }), 400, 'BLAST_BAD_REQUEST', 'body/cascade must be boolean')
  isError(t, await call('POST', '/api/v1/transients/2024abc/tasks/Step%20two/reset', { payload: { all: true } }), 400, 'BLAST_BAD_REQUEST', 'body has unknown property "all"')
  isError(t, await call('POST', '/api/v1/transients/2024abc/tasks/Nope/reset'), 404, 'BLAST_TASK_NOT_FOUND')
  isError(t, await call('POST', '/api/v1/transients/nope/tasks/Step%20two/reset'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
  isError(t, await call('POST', '/api/v1/transients/nope/retrigger'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
  isError(t, await call('POST', '/api/v1/transients/nope/reprocess'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
})

t.test('explain', async (t) => {
  const res = await call('GET', '/api/v1/transients/2024abc/tasks/Step%20two/explain')
  t.equal(res.status, 200)
  t.match(res.body, {
    transient: '2024abc',
    task: 'Step two',
    status: 'processed',
    eligible: false,
    enabled: true,
    in_flight: Boolean,
    attempts: Number,
    prerequisites: [{ task: 'Step one', required: 'processed', current: 'processed', holds: true }],
    summary: String
  })
  isError(t, await call('GET', '/api/v1/transients/2024abc/tasks/Nope/explain'), 404, 'BLAST_TASK_NOT_FOUND')
  isError(t, await call('GET', '/api/v1/transients/nope/tasks/Step%20two/explain'), 404, 'BLAST_TRANSIENT_NOT_FOUND')
})

t.test('run a task now', async (t) => {
  // Everything on the fixture pipeline has settled: a sweep finds nothing eligible and queues nothing.
  const runsBefore = (await call('GET', '/api/v1/runs?task=Step%20one&limit=1000')).body.items.length
  t.same((await call('POST', '/api/v1/tasks/Step%20one/run')).body, { queued: 0 }, 'nothing eligible: nothing queued')
  t.same((await call('POST', '/api/v1/tasks/Step%20one/run', { payload: {} })).body, { queued: 0 }, 'an empty object is a sweep too')
  t.same((await call('POST', '/api/v1/tasks/Step%20one/run', { payload: { transient: '2024abc' } })).body, { queued: 0 }, 'a processed register is not queued')
  t.same((await call('POST', '/api/v1/tasks/Heartbeat/run')).body, { queued: 1 }, 'a disabled system task runs once when asked')
  t.equal((await call('GET', '/api/v1/runs?task=Step%20one&limit=1000')).body.items.length, runsBefore, 'and nothing ran')

  // A task that runs only when asked (disabled): every run is the API's.
  const later = await startTestRuntime(t, { manifest: fileURLToPath(new URL('./fixtures/run-now.tasks.yaml', import.meta.url)) })
  const api = await buildApi(later, { token: TOKEN })
  t.teardown(() => api.close())
  const on = { on: api }
  t.equal((await call('POST', '/api/v1/transients', { ...on, payload: ['later1', 'later2', 'later3'].map((name) => ({ name, ra_deg: 1, dec_deg: 1 })) })).status, 201)
  const counts = async () => (await call('GET', '/api/v1/tasks/Later', on)).body.counts
  t.same(await counts(), { 'not processed': 3 }, 'three eligible registers, none run')

  const one = await call('POST', '/api/v1/tasks/Later/run', { ...on, payload: { transient: 'later2' } })
  t.equal(one.status, 202)
  t.same(one.body, { queued: 1 }, 'one transient: one job')
  await waitFor(async () => (await counts()).processed === 1, { what: 'later2 run' })
  t.same(await counts(), { processed: 1, 'not processed': 2 }, 'only that transient ran')

  const sweep = await call('POST', '/api/v1/tasks/Later/run', on)
  t.equal(sweep.status, 202)
  t.same(sweep.body, { queued: 2 }, 'a sweep queues every eligible transient, and only those')
  await waitFor(async () => (await counts()).processed === 3, { what: 'every Later run' })
  t.same((await call('POST', '/api/v1/tasks/Later/run', on)).body, { queued: 0 }, 'then nothing is left to queue')

  const runs = (await call('GET', '/api/v1/runs?task=Later', on)).body.items
  t.same(runs.map((r: { transient: string }) => r.transient).sort(), ['later1', 'later2', 'later3'], 'each ran exactly once')
  t.ok(runs.every((r: { cause: string; status: string }) => r.cause === 'api' && r.status === 'processed'), 'every run was started by the API')

  isError(t, await call('POST', '/api/v1/tasks/Step%20one/run', { payload: { transient: 'nope' } }), 404, 'BLAST_TRANSIENT_NOT_FOUND')
  isError(t, await call('POST', '/api/v1/tasks/Heartbeat/run', { payload: { transient: '2024abc' } }), 400, 'BLAST_NOT_A_TRANSIENT_TASK')
  isError(t, await call('POST', '/api/v1/tasks/Nope/run'), 404, 'BLAST_TASK_NOT_FOUND')
  isError(t, await call('POST', '/api/v1/tasks/Step%20one/run', { payload: { transients: ['x'] } }), 400, 'BLAST_BAD_REQUEST', 'body has unknown property "transients"')
})

t.test('run history', async (t) => {
  const all = await call('GET', '/api/v1/runs?limit=1000')
  t.equal(all.status, 200)
  t.ok(all.body.items.length > 0)
  t.ok(all.body.items.some((r: { action: string | null }) => /retrigger/.test(r.action ?? '')), 'operator actions are in the history')

  const filtered = (await call('GET', '/api/v1/runs?task=Step%20three&transient=2024abc')).body.items
  t.ok(filtered.length > 0)
  t.ok(filtered.every((r: { task: string; transient: string }) => r.task === 'Step three' && r.transient === '2024abc'))
  t.ok((await call('GET', '/api/v1/runs?status=bad%20input')).body.items.every((r: { status: string }) => r.status === 'bad input'))
  t.same((await call('GET', '/api/v1/runs?since=2999-01-01T00:00:00Z')).body, { items: [], next_cursor: null })

  const page = (await call('GET', '/api/v1/runs?limit=1')).body
  t.equal(page.items.length, 1)
  t.type(page.next_cursor, 'string')
  const next = (await call('GET', `/api/v1/runs?limit=1&cursor=${encodeURIComponent(page.next_cursor)}`)).body
  t.not(next.items[0].id, page.items[0].id)

  const first = all.body.items[0]
  t.same((await call('GET', `/api/v1/runs/${first.id}`)).body, first)
  isError(t, await call('GET', '/api/v1/runs/987654321'), 404, 'BLAST_RUN_NOT_FOUND', 'run 987654321 does not exist')

  isError(t, await call('GET', '/api/v1/runs?since=yesterday'), 400, 'BLAST_BAD_REQUEST', 'querystring/since must match format "date-time"')
  isError(t, await call('GET', '/api/v1/runs?limit=-1'), 400, 'BLAST_BAD_REQUEST', 'querystring/limit must be >= 1')
  isError(t, await call('GET', '/api/v1/runs?worker=x'), 400, 'BLAST_BAD_REQUEST', 'querystring has unknown property "worker"')
})

t.test('manifest: the effective one, and validation of a text', async (t) => {
  const info = await call('GET', '/api/v1/manifest')
  t.equal(info.status, 200)
  t.match(info.body, { file: 'blast.tasks.yaml', last_attempt_ok: true, diagnostics: [], manifest: { version: 1 } })
  t.same(info.body.manifest.tasks.map((x: { name: string }) => x.name).sort(), [...TRANSIENT_TASKS, 'Heartbeat'].sort())
  t.match(info.body.manifest.tasks.find((x: { name: string }) => x.name === 'Heartbeat'), { kind: 'system', enabled: false })

  const { readFile } = await import('node:fs/promises')
  const good = await readFile(MANIFEST, 'utf8')
  for (const type of ['application/yaml', 'text/yaml', 'text/plain', 'text/yaml; charset=utf-8']) {
    const res = await call('POST', '/api/v1/manifest/validate', { payload: good, headers: { 'content-type': type } })
    t.equal(res.status, 200, type)
    t.same(res.body, { ok: true, diagnostics: [] }, type)
  }

  const broken = good.replace('Step one: processed }', 'Step one: procesed }')
  const res = await call('POST', '/api/v1/manifest/validate', { payload: broken, headers: { 'content-type': 'application/yaml' } })
  t.equal(res.status, 200)
  t.equal(res.body.ok, false)
  const d = res.body.diagnostics.find((x: { code: string }) => x.code === 'BLAST_UNKNOWN_STATUS')
  t.match(d, { severity: 'error', line: Number, column: Number, message: /procesed/ })
  t.equal(d.text, `${d.file}:${d.line}:${d.column} error BLAST_UNKNOWN_STATUS ${d.message}`)
  t.same((await call('GET', '/api/v1/manifest')).body.manifest.tasks.length, 5, 'nothing was applied')

  isError(t, await call('POST', '/api/v1/manifest/validate', { payload: { version: 1 } }), 415, 'BLAST_UNSUPPORTED_MEDIA_TYPE',
    'content-type application/json is not accepted here; accepted: application/yaml, text/yaml, text/plain')
  isError(t, await call('POST', '/api/v1/manifest/validate', { payload: good, headers: { 'content-type': 'application/yaml' }, token: null }), 401, 'BLAST_UNAUTHORIZED')
})

t.test('bearer token', async (t) => {
  const missing = await call('POST', '/api/v1/transients/2024abc/retrigger', { token: null })
  isError(t, missing, 401, 'BLAST_UNAUTHORIZED', /Authorization: Bearer <token>/)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="blast-tasks"')
  isError(t, await call('POST', '/api/v1/transients/2024abc/retrigger', { token: 'wrong' }), 401, 'BLAST_UNAUTHORIZED', 'the bearer token is not valid')
  isError(t, await call('POST', '/api/v1/transients/2024abc/retrigger', { token: `${TOKEN}x` }), 401, 'BLAST_UNAUTHORIZED', 'the bearer token is not valid')
  isError(t, await call('POST', '/api/v1/transients/2024abc/retrigger', { token: null, headers: { authorization: `Basic ${TOKEN}` } }), 401, 'BLAST_UNAUTHORIZED',
    'the Authorization header must read "Bearer <token>"')
  t.equal((await call('POST', '/api/v1/transients/2024abc/retrigger', { token: null, headers: { authorization: `bearer ${TOKEN}` } })).status, 200, 'the scheme is case-insensitive')
  isError(t, await call('POST', '/api/v1/transients', { token: null, payload: { bogus: true } }), 401, 'BLAST_UNAUTHORIZED', undefined)
  t.equal((await call('GET', '/api/v1/transients/2024abc', { token: null })).status, 200, 'reads are open by default')
  await settled('2024abc')
})

t.test('readAuth closes the reads, not the probes or the docs', async (t) => {
  const closed = await buildApi(runtime, { token: TOKEN, readAuth: true })
  t.teardown(() => closed.close())
  for (const url of ['/api/v1/tasks', '/api/v1/transients', '/api/v1/transients/2024abc', '/api/v1/runs', '/api/v1/manifest', '/api/v1/statuses', '/metrics']) {
    isError(t, await call('GET', url, { on: closed, token: null }), 401, 'BLAST_UNAUTHORIZED')
    t.equal((await call('GET', url, { on: closed })).status, 200, url)
  }
  for (const url of ['/health', '/ready', '/docs/json']) t.equal((await call('GET', url, { on: closed, token: null })).status, 200, url)
  const doc = (await call('GET', '/docs/json', { on: closed })).body
  t.same(doc.paths['/api/v1/tasks'].get.security, [{ bearerAuth: [] }])
  t.same(doc.paths['/health'].get.security, [], 'open: security []')
})

t.test('bodyLimit', async (t) => {
  const small = await buildApi(runtime, { token: TOKEN, bodyLimit: 200 })
  t.teardown(() => small.close())
  isError(t, await call('POST', '/api/v1/transients', { on: small, payload: { name: 'big1', ra_deg: 1, dec_deg: 1, data: { x: 'y'.repeat(300) } } }),
    413, 'BLAST_BODY_TOO_LARGE', 'the request body is larger than the limit of 200 bytes')
})

t.test('options are checked once', async (t) => {
  await t.rejects(buildApi(runtime, { token: '' }), { name: 'TypeError', message: 'buildApi: options.token must be a non-empty string' })
  await t.rejects(buildApi(runtime, { token: TOKEN, bodyLimit: 0 }), /options.bodyLimit must be a positive integer/)
  await t.rejects(buildApi(runtime, { token: TOKEN, readAuth: 'yes' as unknown as boolean }), /options.readAuth must be a boolean/)
  await t.rejects(buildApi(runtime, { token: TOKEN, logger: 'info' as unknown as boolean }), /options.logger must be a boolean or a pino-compatible logger/)
})

t.test('unknown routes', async (t) => {
  isError(t, await call('GET', '/api/v1/nope?x=1'), 404, 'BLAST_ROUTE_NOT_FOUND', 'route GET /api/v1/nope does not exist; the routes are listed at /docs')
  isError(t, await call('DELETE', '/api/v1/tasks'), 404, 'BLAST_ROUTE_NOT_FOUND', 'route DELETE /api/v1/tasks does not exist')
  isError(t, await call('GET', '/api/v2/tasks'), 404, 'BLAST_ROUTE_NOT_FOUND')
  isError(t, await call('GET', '/api/v1/transients/%E0%A4%A'), 400, 'BLAST_BAD_URL', /is not valid: a %-escape is malformed/)
})

// Last: the runtime stops under the API. Readiness turns 503 and engine failures keep the one shape
// without leaking a stack.
t.test('a stopped runtime: not ready, and errors without details', async (t) => {
  await runtime.stop()
  t.same((await call('GET', '/ready')).body, { status: 'not ready' })
  t.equal((await call('GET', '/ready')).status, 503)
  t.equal((await call('GET', '/health')).status, 200)
  // every route that reaches the engine answers 503 while it is stopped, never a 500
  for (const [method, url] of [['GET', '/api/v1/tasks'], ['GET', '/api/v1/transients'], ['GET', '/api/v1/runs'], ['GET', '/api/v1/transients/2024abc'],
    ['POST', '/api/v1/tasks/Step%20one/run']] as const) {
    isError(t, await call(method, url), 503, 'BLAST_NOT_READY', 'the runtime is stopped')
  }
})
