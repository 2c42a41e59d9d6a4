// Hostile input to the control API: a property-based fuzz (fast-check) of every operation in the
// OpenAPI document, with hostile path segments (SQL, NUL, %-escapes, unicode, 5,000 characters),
// random query strings, bodies and content types. No answer is a 5xx; without the token every
// mutating call is 401 and the database is unchanged; with it, hostile names, filters and bodies
// reach the database as data, never as SQL; bodies over the limit are refused with 413. Seeded,
// so a failure reproduces (fast-check prints the seed and the shrunk counterexample).
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApi, DEFAULT_BODY_LIMIT } from '../../runtime/api/index.ts'
import { MAX_URL_LENGTH } from '../../runtime/api/edges.ts'
import type { Runtime } from '../../runtime/runtime.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const manifest = new URL('../fixtures/engine/chain.yaml', import.meta.url).pathname
const TOKEN = 'fuzz-token-0123456789'
const SEED = Number(process.env.FUZZ_SEED) || 20260529
const RUNS = Number(process.env.FUZZ_RUNS) || 1500
const CANARIES = ['2024canary', '2024canary2']

interface Operation { method: string; path: string; params: string[]; query: string[]; body: string[]; secured: boolean }

function operationsOf (app: FastifyInstance): Operation[] {
  const doc = app.swagger() as { paths: Record<string, Record<string, any>> }
  const operations: Operation[] = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as Array<{ in: string; name: string }>
      operations.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter(p => p.in === 'path').map(p => p.name),
        query: parameters.filter(p => p.in === 'query').map(p => p.name),
        body: Object.keys(op.requestBody?.content ?? {}),
        secured: Array.isArray(op.security) && op.security.length > 0
      })
    }
  }
  return operations
}

const HOSTILE = [
  "'; DROP TABLE transient; --", "2024canary'; DELETE FROM task_status WHERE '1'='1", '" OR 1=1 --', "') OR ('a'='a",
  '%00', '\u0000', 'a\u0000b', '%', '%%', '%2F', '%252F', '../../etc/passwd', '..', '.', '*', '?', '#', '\\', '\n', '\t',
  'Task A', 'Task B', 'processed', 'not processed', 'no host match', ...CANARIES, '1', '0', '-1', '99999999999999999999', '1e309',
  'NaN', 'null', 'undefined', 'true', '[]', '{}', '<script>alert(1)</script>', '${jndi:ldap://x}', '😀🚀', '\u202eevil', 'é', '\uFEFF',
  ' ', '', 'x'.repeat(5000), 'A'.repeat(65), '2024abc', '\ud800', 'a\udc00b',
  // dates JavaScript and PostgreSQL read differently, and cursors that are no id this API gave out
  '0000-01-01T00:00:00Z', '2024-02-30T00:00:00Z', '9999-12-31T23:59:59Z', '-000001-01-01T00:00:00Z', '2024-01-01T00:00:00+14:00',
  ...['99999999999', '1e300', '-5', '1.5', '99999999999999999999999', '0'].map(n => Buffer.from(n).toString('base64url'))
]

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}[A-Za-z0-9]$/) }
)

const hostileNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e308, -1e308, 90, -90, 360, 91))
const plausibleName = fc.oneof(fc.constantFrom(...CANARIES, '2024new1', '2024new2'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,10}[A-Za-z0-9]$/))
const plausibleTask = fc.constantFrom('Task A', 'Task B', 'Task C', 'Task D', 'Task E')
/** a path segment: hostile, or a name that exists, so that calls get past validation to the database */
const segment = fc.oneof(hostileString, plausibleName, plausibleTask)
const hostileJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(hostileString, fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 }))

const transientBody = fc.oneof(
  fc.record({
    name: hostileString,
    ra_deg: hostileNumber,
    dec_deg: hostileNumber,
    public_timestamp: fc.oneof(hostileString, fc.constant(null), fc.date({ noInvalidDate: true }).map(d => d.toISOString())),
    redshift: fc.oneof(hostileNumber, fc.constant(null)),
    data: hostileJson
  }, { requiredKeys: [] }),
  // valid but for the data: the write reaches the database
  fc.record({
    name: plausibleName,
    ra_deg: fc.double({ min: 0, max: 359, noNaN: true }),
    dec_deg: fc.double({ min: -90, max: 90, noNaN: true }),
    public_timestamp: fc.constantFrom('2024-02-30T00:00:00Z', '0001-01-01T00:00:00Z', '2024-06-01T12:00:00+14:00', '9999-12-31T23:59:59.999Z'),
    data: fc.dictionary(hostileString, hostileJson, { maxKeys: 3 })
  }, { requiredKeys: ['name', 'ra_deg', 'dec_deg'] })
)

const jsonBody = fc.oneof(
  { weight: 3, arbitrary: transientBody },
  { weight: 1, arbitrary: fc.array(transientBody, { maxLength: 4 }) },
  { weight: 2, arbitrary: fc.record({ enabled: fc.oneof(fc.boolean(), fc.constant(null), hostileString), cascade: fc.oneof(fc.boolean(), hostileString), transient: hostileString }, { requiredKeys: [] }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 })) }
)

const yamlBody = fc.oneof(
  hostileString,
  fc.constantFrom('version: 1\ntasks: []\n', 'version: 1\ntasks:\n  - name: "\'; DROP TABLE task; --"\n', '{{{{', '- - - [', 'a: &a [*a]', '!!binary x')
)

const CONTENT_TYPES = ['application/json', 'application/yaml', 'text/plain', 'text/yaml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '']

/** a URL carries UTF-8 bytes: a lone surrogate cannot be sent, so it goes as U+FFFD */
const wellFormed = (text: string) => text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
const encode = (text: string) => encodeURIComponent(wellFormed(text))

interface Call { method: string; url: string; headers: Record<string, string>; payload?: string; op: Operation; routed: boolean }

function callOf (operations: Operation[], auth: fc.Arbitrary<string | undefined>): fc.Arbitrary<Call> {
  return fc.record({
    op: fc.constantFrom(...operations),
    params: fc.array(fc.tuple(segment, fc.boolean()), { minLength: 2, maxLength: 2 }),
    query: fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('task', 'status', 'processing_status', 'limit', 'cursor', 'transient', 'since', 'cascade') }, hostileString),
      fc.oneof(hostileString, plausibleTask, fc.constantFrom('processed', 'not processed', 'completed'), hostileNumber.map(String))), { maxLength: 4 }),
    json: jsonBody,
    yaml: yamlBody,
    contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined, freq: 2 }),
    auth
  }).map(({ op, params, query, json, yaml, contentType, auth }) => {
    let path = op.path
    op.params.forEach((name, i) => {
      const [value, encoded] = params[i]
      const raw = !encoded
      // mostly encoded; sometimes raw, so that routing itself meets %, /, ? and #
      path = path.replace(`{${name}}`, raw ? wellFormed(value) : encode(value))
    })
    const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')
    const headers: Record<string, string> = {}
    if (auth !== undefined) headers.authorization = auth
    let payload: string | undefined
    if (op.method !== 'GET' && op.method !== 'DELETE') {
      const yamlRoute = op.body.some(type => type.includes('yaml'))
      payload = yamlRoute ? yaml : JSON.stringify(json)
      headers['content-type'] = contentType ?? (yamlRoute ? 'application/yaml' : 'application/json')
    }
    // `routed`: every path parameter encoded, not empty nor a dot segment, and the URL within the API's
    // limit (MAX_URL_LENGTH; longer is a 414 before anything else): the call reaches the operation it was made for
    const url = search ? `${path}?${search}` : path
    const routed = url.length <= MAX_URL_LENGTH && op.params.every((_, i) => params[i][1] && !['', '.', '..'].includes(params[i][0]))
    return { method: op.method, url, headers, payload, op, routed }
  })
}

/** what a caller without the token must not be able to change */
async function snapshot (runtime: Runtime): Promise<unknown> {
  const s = runtime.store.schema
  const [row] = await runtime.db.query(`SELECT
    (SELECT json_agg(json_build_array(name, ra_deg, dec_deg, public_timestamp, redshift, data, updated_at) ORDER BY id) FROM ${s}.transient) AS transients,
    (SELECT json_agg(json_build_array(transient_id, task, status, attempts, updated_at, output) ORDER BY transient_id, task) FROM ${s}.task_status) AS registers,
    (SELECT count(*)::int FROM ${s}.run) AS runs,
    (SELECT json_agg(json_build_array(name, in_manifest, declared_enabled, enabled_override) ORDER BY name) FROM ${s}.task) AS tasks`)
  return row
}

async function tables (runtime: Runtime): Promise<string[]> {
  const rows = await runtime.db.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [runtime.store.schema])
  return rows.map(row => row.name)
}

const send = (app: FastifyInstance, call: Call) => app.inject({ method: call.method as 'GET', url: call.url, headers: call.headers, payload: call.payload })

const describe = (call: Call, status: number, body: string) =>
  `${call.method} ${call.url.slice(0, 200)} ${JSON.stringify(call.headers)} ${String(call.payload).slice(0, 200)} → ${status} ${body.slice(0, 300)}`

t.test('hostile input to every API operation', async t => {
  const runtime = await startTestRuntime(t, { manifest })
  const app = await buildApi(runtime, { token: TOKEN })
  t.teardown(() => app.close())
  const operations = operationsOf(app)
  t.ok(operations.length >= 20, `${operations.length} operations in the OpenAPI document`)
  t.same(operations.filter(op => op.method !== 'GET' && !op.secured).map(op => `${op.method} ${op.path}`), [], 'every mutating operation needs the token')

  await runtime.createTransients(CANARIES.map((name, i) => ({ name, ra_deg: i, dec_deg: i, data: { note: "'); DROP TABLE transient; --" } })))
  await waitFor(async () => (await Promise.all(CANARIES.map(name => runtime.getTransient(name)))).every(d => d.processing_status === 'completed'),
    { what: 'canaries completed' })
  const tablesBefore = await tables(runtime)

  await t.test('without the token: no 5xx, every mutation 401, nothing changes', async t => {
    const before = await snapshot(runtime)
    const badAuth = fc.option(fc.oneof(fc.constantFrom('Bearer wrong', 'Bearer', 'Basic Zm9vOmJhcg==', `Bearer ${TOKEN}x`, `bearer  ${TOKEN.slice(1)}`, `Token ${TOKEN}`, `${TOKEN}`),
      hostileString.map(s => s.replace(/[^\t\x20-\x7e]/g, ''))), { nil: undefined })
    let calls = 0
    const started = Date.now()
    await fc.assert(fc.asyncProperty(callOf(operations, badAuth), async call => {
      calls++
      const response = await send(app, call)
      if (response.statusCode >= 500) throw new Error(describe(call, response.statusCode, response.body))
      // a mutating operation without a valid token is 401; a raw segment may route elsewhere or nowhere
      // (an unknown route parses the body first: 415 for a content type it does not know)
      const allowed = call.routed ? [401] : [400, 401, 404, 414, 415]
      if (call.op.secured && !allowed.includes(response.statusCode)) {
        throw new Error(`expected ${allowed.join(' or ')}: ${describe(call, response.statusCode, response.body)}`)
      }
    }), { numRuns: RUNS, seed: SEED, endOnFailure: true })
    t.comment(`${calls} calls in ${Date.now() - started} ms`)
    t.same(await snapshot(runtime), before, 'the database is exactly as before')
  })

  await t.test('with the token: no 5xx; hostile strings stay data', async t => {
    const goodAuth = fc.constant(`Bearer ${TOKEN}`)
    const statuses = new Map<number, number>()
    const started = Date.now()
    await fc.assert(fc.asyncProperty(callOf(operations, goodAuth), async call => {
      const response = await send(app, call)
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
      if (response.statusCode >= 500) throw new Error(describe(call, response.statusCode, response.body))
    }), { numRuns: RUNS, seed: SEED + 1, endOnFailure: true })
    t.comment(`${RUNS} calls in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`)
    t.same(await tables(runtime), tablesBefore, 'every table is still there')
    const [{ orphans }] = await runtime.db.query<{ orphans: number }>(
      `SELECT count(*)::int AS orphans FROM ${runtime.store.schema}.transient t WHERE (SELECT count(*) FROM ${runtime.store.schema}.task_status ts WHERE ts.transient_id = t.id) <> 5`)
    t.equal(orphans, 0, 'every transient still has one register per task')
  })

  await t.test('hostile values are stored and read back literally', async t => {
    const auth = { authorization: `Bearer ${TOKEN}` }
    const data = { note: "x'); DROP TABLE transient; --", quote: '"\'\\', unicode: '😀\u202e' }
    const created = await app.inject({ method: 'POST', url: '/api/v1/transients', headers: auth, payload: { name: '2024literal', ra_deg: 1, dec_deg: 1, data } })
    t.equal(created.statusCode, 201, 'created')
    const read = await app.inject({ method: 'GET', url: '/api/v1/transients/2024literal' })
    t.same(read.json().data, data, 'the data comes back as sent')
    const filtered = await app.inject({ method: 'GET', url: `/api/v1/transients?task=Task%20A&status=${encodeURIComponent("processed' OR '1'='1")}` })
    t.same([filtered.statusCode, filtered.json().items], [200, []], 'a filter with SQL in it matches nothing')
    const name = await app.inject({ method: 'POST', url: '/api/v1/transients', headers: auth, payload: { name: "x'; DROP TABLE transient; --", ra_deg: 1, dec_deg: 1 } })
    t.equal(name.statusCode, 400, 'a transient name with SQL in it breaks the name rule (400)')
  })

  await t.test('bodies over the limit are refused', async t => {
    const huge = JSON.stringify({ name: '2024huge', ra_deg: 1, dec_deg: 1, data: { blob: 'x'.repeat(DEFAULT_BODY_LIMIT) } })
    for (const op of operations.filter(op => op.body.length)) {
      const url = op.path.replace(/\{[^}]+\}/g, segment => segment === '{task}' ? 'Task%20A' : '2024canary')
      const type = op.body.includes('application/json') ? 'application/json' : op.body[0]
      const withToken = await app.inject({ method: op.method as 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type }, payload: huge })
      t.equal(withToken.statusCode, 413, `${op.method} ${op.path} with the token: 413`)
      t.equal(withToken.json().code, 'BLAST_BODY_TOO_LARGE', 'BLAST_BODY_TOO_LARGE')
      const without = await app.inject({ method: op.method as 'POST', url, headers: { 'content-type': type }, payload: huge })
      t.equal(without.statusCode, 401, `${op.method} ${op.path} without the token: 401 before the body is read`)
    }
  })
})
