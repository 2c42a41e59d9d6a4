// The input edges of the control API, one test each: what used to answer 500, say nothing, or do
// something other than the docs say now answers a documented 4xx with its own code, or does what
// docs/api.md says. On the embedded database, or on PostgreSQL with DATABASE_URL.
// Names here are lowercase letters and digits only, so that name order is the same in JavaScript
// and under any database collation.
import { fileURLToPath } from 'node:url'
import type { InjectOptions } from 'fastify'
import t, { type Test } from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { MAX_URL_LENGTH } from '../../runtime/api/edges.ts'
import { MAX_JSON_DEPTH } from '../../runtime/transient-rules.ts'
import { freshSchemas, startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))
const TOKEN = 'edges-test-token-0123456789abcdef'

const schemas = freshSchemas()
const runtime = await startTestRuntime(t, { manifest: MANIFEST, ...schemas })
const app = await buildApi(runtime, { token: TOKEN })
t.teardown(() => app.close())

interface Call { status: number; body: any; text: string }

async function call(method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const res = await app.inject({ method, url, payload: payload as InjectOptions['payload'], headers: { authorization: `Bearer ${TOKEN}`, ...headers } })
  let body: unknown = null
  try { body = res.json() } catch { body = null }
  return { status: res.statusCode, body, text: res.body }
}

function isError(t: Test, res: Call, statusCode: number, code: string, message?: RegExp): void {
  t.equal(res.status, statusCode, `status ${statusCode} (${res.text.slice(0, 300)})`)
  t.equal(res.body?.code, code, code)
  t.same(Object.keys(res.body ?? {}).sort(), ['code', 'error', 'message', 'statusCode'], 'the error shape')
  if (message !== undefined) t.match(res.body?.message, message)
}

/** every transient of a list, following next_cursor a page at a time */
async function listAll(query: string, limit = 2): Promise<any[]> {
  const items: any[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 100; pages++) {
    const res = await call('GET', `/api/v1/transients?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    if (res.status !== 200) throw new Error(`list ${query}: ${res.status} ${res.text}`)
    items.push(...res.body.items)
    cursor = res.body.next_cursor
    if (cursor === null) return items
  }
  throw new Error('more than 100 pages')
}
const names = (items: Array<{ name: string }>) => items.map((x) => x.name)

const nested = (depth: number): unknown => {
  let value: unknown = {}
  for (let i = 1; i < depth; i++) value = { a: value }
  return value // `depth` levels of objects
}

// First, while the database holds only these transients: the exact order of the whole list.
t.test('GET /transients: oldest public_timestamp first, name on ties, none last, across pages', async (t) => {
  const inputs = [
    { name: 'ord5', public_timestamp: null },
    { name: 'ord4', public_timestamp: '2024-03-01T00:00:00Z' },
    { name: 'ord1', public_timestamp: '2024-01-01T00:00:00.001Z' },
    { name: 'ord3', public_timestamp: '2024-01-01T00:00:00Z' },
    { name: 'ord2', public_timestamp: '2024-01-01T00:00:00Z' },
    { name: 'ord0', public_timestamp: '2023-12-31T23:00:00-02:00' }, // 2024-01-01T01:00Z
    { name: 'ord6', public_timestamp: null },
    { name: 'ord7', public_timestamp: '1999-06-01T00:00:00Z' }
  ].map((x) => ({ ...x, ra_deg: 10, dec_deg: 10 }))
  t.equal((await call('POST', '/api/v1/transients', inputs)).status, 201)
  const expected = ['ord7', 'ord2', 'ord3', 'ord1', 'ord0', 'ord4', 'ord5', 'ord6']
  for (const limit of [1, 2, 3, 100]) t.same(names(await listAll('', limit)), expected, `pages of ${limit}`)
  // a cursor taken inside a tie, and one taken among those without a timestamp, resume where they were
  const page = await call('GET', '/api/v1/transients?limit=2')
  t.same(names(page.body.items), ['ord7', 'ord2'])
  t.same(names((await call('GET', `/api/v1/transients?limit=5&cursor=${page.body.next_cursor}`)).body.items), ['ord3', 'ord1', 'ord0', 'ord4', 'ord5'])
  const late = await call('GET', '/api/v1/transients?limit=7')
  t.same(names((await call('GET', `/api/v1/transients?cursor=${late.body.next_cursor}`)).body.items), ['ord6'])

  const [index] = await runtime.db.query<{ indexdef: string }>(
    'SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schemas.schema, 'transient_list_order'])
  t.match(index?.indexdef, /COALESCE\(public_timestamp.*infinity.*name/, 'the order has its index (migration 003)')
})

t.test('status alone, status_type, and both with task filter by any register that matches', async (t) => {
  const inputs = [
    { name: 'flt1', data: { bad: true } },
    { name: 'flt2', data: { bad: true } },
    { name: 'flt3', data: {} }
  ].map((x) => ({ ...x, ra_deg: 20, dec_deg: 20, public_timestamp: '2020-01-01T00:00:00Z' }))
  t.equal((await call('POST', '/api/v1/transients', inputs)).status, 201)
  await waitFor(async () => (await listAll('processing_status=processing', 100)).length === 0, { what: 'every transient settled' })
  const all = names(await listAll(''))
  t.same(names(await listAll('status=bad%20input')), ['flt1', 'flt2'], 'status alone: any task in that status')
  t.same(names(await listAll('status=processed')), all, 'every transient has a processed task')
  t.same(names(await listAll('status=not%20processed')), [], 'no register is left not processed')
  t.same(names(await listAll('status_type=error')), ['flt1', 'flt2'], 'a task in an error-type status')
  t.same(names(await listAll('status_type=success')), all, 'a task in a success-type status')
  t.same(names(await listAll('status_type=warning')), [], 'no status of that type is declared')
  t.same(names(await listAll('task=Check%20input&status_type=error')), ['flt1', 'flt2'], 'task and status_type: that task\'s register')
  t.same(names(await listAll('task=Step%20one&status_type=error')), [], 'Step one never errs')
  t.same(names(await listAll('status=bad%20input&status_type=success')), [], 'status and type of one register must both match')
  t.same(names(await listAll('task=Step%20one&status=processed')), all, 'task and status, as before')
  isError(t, await call('GET', '/api/v1/transients?status_type=fatal'), 400, 'BLAST_BAD_REQUEST', /status_type must be one of: blank, success, warning, error/)
})

t.test('U+0000 in a query or path parameter: 400 BLAST_INVALID_TEXT, not 500', async (t) => {
  for (const url of [
    '/api/v1/runs?task=%00', '/api/v1/runs?transient=a%00', '/api/v1/runs?status=x%00y', '/api/v1/transients?status=%00',
    '/api/v1/transients?task=Step%20one%00', '/api/v1/tasks/Step%20one%00', '/api/v1/transients/ord1%00',
    '/api/v1/transients/ord1/tasks/Step%00one/explain', '/api/v1/runs/1%00'
  ]) {
    isError(t, await call('GET', url), 400, 'BLAST_INVALID_TEXT', /holds U\+0000/)
  }
  isError(t, await call('POST', '/api/v1/tasks/Step%00one/run', {}), 400, 'BLAST_INVALID_TEXT')
  // the engine, asked directly, answers as the docs say: no run has such a task
  t.same(await runtime.listRuns({ task: 'a\u0000' }), { items: [], nextCursor: null })
})

t.test('a URL that does not decode: 400 BLAST_BAD_URL, before routing', async (t) => {
  for (const url of ['/api/v1/runs?task=%FF', '/api/v1/transients?status=%E0%A4%A', '/api/v1/transients/%FF',
    '/api/v1/tasks/a%ED%A0%80b', '/api/v1/%E0%A4%A', '/api/v1/runs?cursor=%']) {
    isError(t, await call('GET', url), 400, 'BLAST_BAD_URL', /is not valid/)
  }
})

t.test('a cursor this API did not hand out: 400 BLAST_INVALID_CURSOR', async (t) => {
  const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url')
  const real = (await call('GET', '/api/v1/transients?limit=1')).body.next_cursor as string
  t.type(real, 'string')
  for (const cursor of ['abc', '%00', 'AAAA', `${real}=`, `${real}.`, forged(['2024-01-01', 'ord1']), forged([null, 'no!']),
    forged({ name: 'ord1' }), forged([null, 'ord1', 1]), forged(['2024-02-30T00:00:00.000000Z', 'ord1']), Buffer.from('17').toString('base64url')]) {
    isError(t, await call('GET', `/api/v1/transients?cursor=${cursor}`), 400, 'BLAST_INVALID_CURSOR', /not a next_cursor/)
  }
  t.equal((await call('GET', `/api/v1/transients?cursor=${real}`)).status, 200, 'a real cursor still works')

  const runs = await call('GET', '/api/v1/runs?limit=1')
  t.type(runs.body.next_cursor, 'string', 'the run history has more than one run')
  t.equal((await call('GET', `/api/v1/runs?cursor=${runs.body.next_cursor}`)).status, 200)
  for (const cursor of ['abc', '%00', forged(['x', 'y']), Buffer.from('0').toString('base64url'), Buffer.from('-1').toString('base64url'), `${runs.body.next_cursor}==`]) {
    isError(t, await call('GET', `/api/v1/runs?cursor=${cursor}`), 400, 'BLAST_INVALID_CURSOR')
  }
})

t.test('impossible dates are refused, not rolled over into the next month', async (t) => {
  for (const when of ['2024-02-30T00:00:00Z', '2023-02-29T12:00:00Z', '2024-04-31T00:00:00+01:00', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z']) {
    const res = await call('POST', '/api/v1/transients', { name: 'date1', ra_deg: 1, dec_deg: 1, public_timestamp: when })
    isError(t, res, 400, 'BLAST_BAD_REQUEST', /body\/public_timestamp must match format "date-time"/)
    isError(t, await call('PUT', '/api/v1/transients/date1', { ra_deg: 1, dec_deg: 1, public_timestamp: when }), 400, 'BLAST_BAD_REQUEST')
    isError(t, await call('GET', `/api/v1/runs?since=${encodeURIComponent(when)}`), 400, 'BLAST_BAD_REQUEST', /querystring\/since must match format/)
  }
  isError(t, await call('GET', '/api/v1/transients/date1'), 404, 'BLAST_TRANSIENT_NOT_FOUND', /does not exist/)
  const leap = await call('POST', '/api/v1/transients', { name: 'date1', ra_deg: 1, dec_deg: 1, public_timestamp: '2024-02-29T23:00:00Z' })
  t.equal(leap.status, 201, 'a leap day is a date')
  t.equal(leap.body.created[0].public_timestamp, '2024-02-29T23:00:00.000Z')
  // the engine's own check (ingest plugins, the command line) refuses it too
  await t.rejects(runtime.createTransients([{ name: 'date2', ra_deg: 1, dec_deg: 1, public_timestamp: '2024-02-30T00:00:00Z' }]),
    { code: 'BLAST_TRANSIENT_INVALID', message: /public_timestamp/ })
})

t.test(`JSON nested deeper than ${MAX_JSON_DEPTH} levels: 400 BLAST_JSON_TOO_DEEP, not 500`, async (t) => {
  isError(t, await call('POST', '/api/v1/transients', { name: 'deep1', ra_deg: 1, dec_deg: 1, data: nested(3000) }),
    400, 'BLAST_JSON_TOO_DEEP', new RegExp(`limit of ${MAX_JSON_DEPTH} levels`))
  isError(t, await call('POST', '/api/v1/transients', { name: 'deep1', ra_deg: 1, dec_deg: 1, data: nested(MAX_JSON_DEPTH) }),
    400, 'BLAST_JSON_TOO_DEEP', undefined)
  const text = '['.repeat(200_000) + ']'.repeat(200_000)
  isError(t, await call('POST', '/api/v1/transients', text, { 'content-type': 'application/json' }), 400, 'BLAST_JSON_TOO_DEEP')
  // the body is the data plus one level: data at the limit less one is accepted, stored and read back
  const fits = await call('POST', '/api/v1/transients', { name: 'deep1', ra_deg: 1, dec_deg: 1, data: nested(MAX_JSON_DEPTH - 1) })
  t.equal(fits.status, 201, `a body ${MAX_JSON_DEPTH} levels deep is accepted`)
  t.same((await call('GET', '/api/v1/transients/deep1')).body.data, nested(MAX_JSON_DEPTH - 1), 'and read back whole')
  // the engine's check walks without recursion: a deeper value is refused by the rule, not by a stack overflow
  await t.rejects(runtime.createTransients([{ name: 'deep2', ra_deg: 1, dec_deg: 1, data: nested(100_000) as Record<string, unknown> }]),
    { code: 'BLAST_TRANSIENT_INVALID', message: new RegExp(`data nests deeper than ${MAX_JSON_DEPTH} levels`) })
})

t.test('over-long URLs and path parameters: 414 BLAST_URI_TOO_LONG', async (t) => {
  isError(t, await call('GET', `/api/v1/transients/${'a'.repeat(65)}`), 414, 'BLAST_URI_TOO_LONG', /params\/name must NOT have more than 64 characters/)
  isError(t, await call('DELETE', `/api/v1/transients/${'a'.repeat(300)}`), 414, 'BLAST_URI_TOO_LONG')
  isError(t, await call('GET', `/api/v1/tasks/${'a'.repeat(201)}`), 414, 'BLAST_URI_TOO_LONG', /params\/task/)
  isError(t, await call('GET', `/api/v1/runs/${'1'.repeat(101)}`), 414, 'BLAST_URI_TOO_LONG')
  isError(t, await call('GET', `/api/v1/tasks/${'a'.repeat(MAX_URL_LENGTH)}`), 414, 'BLAST_URI_TOO_LONG', /limit is 4096/)
  isError(t, await call('GET', `/api/v1/transients?status=${'a'.repeat(MAX_URL_LENGTH)}`), 414, 'BLAST_URI_TOO_LONG', /limit is 4096/)
  isError(t, await call('GET', `/nowhere/${'a'.repeat(MAX_URL_LENGTH)}`), 414, 'BLAST_URI_TOO_LONG')
  // a query value over its maximum in a URL of fair length is a bad request, as before
  isError(t, await call('GET', `/api/v1/transients?task=${'a'.repeat(201)}`), 400, 'BLAST_BAD_REQUEST', /querystring\/task/)
  t.equal((await call('GET', `/api/v1/transients/${'a'.repeat(64)}`)).status, 404, 'a name of 64 characters is a name')
})

t.test('rejections before routing and parsing carry codes of their own, apart from a bad body', async (t) => {
  const json = { 'content-type': 'application/json' }
  isError(t, await call('POST', '/api/v1/transients', '{"name": "x",', json), 400, 'BLAST_MALFORMED_BODY', /not valid JSON/)
  isError(t, await call('POST', '/api/v1/transients', '', json), 400, 'BLAST_MALFORMED_BODY', /cannot be empty/)
  isError(t, await call('POST', '/api/v1/transients', '{"name":"x","ra_deg":1,"dec_deg":1,"__proto__":{"a":1}}', json), 400, 'BLAST_MALFORMED_BODY')
  isError(t, await call('PATCH', '/api/v1/tasks/Step%20one', '{enabled: true}', json), 400, 'BLAST_MALFORMED_BODY')
  isError(t, await call('POST', '/api/v1/transients', { name: 'x', ra_deg: 400, dec_deg: 1 }), 400, 'BLAST_BAD_REQUEST', /body\/ra_deg/)
  isError(t, await call('GET', '/api/v1/transients/%FF'), 400, 'BLAST_BAD_URL')
})

t.test('GET /manifest names the manifest by its file name, not its path on the server', async (t) => {
  const res = await call('GET', '/api/v1/manifest', undefined, {})
  t.equal(res.status, 200)
  t.equal(res.body.file, 'blast.tasks.yaml')
  t.notMatch(res.text, fileURLToPath(new URL('.', import.meta.url)), 'no server path anywhere in the answer')
})

t.test('the OpenAPI document says all of it', async (t) => {
  const doc = (await call('GET', '/docs/json')).body
  const list = doc.paths['/api/v1/transients'].get
  t.match(list.parameters.find((p: { name: string }) => p.name === 'status_type'), { in: 'query', schema: { enum: ['blank', 'success', 'warning', 'error'] } })
  t.match(list.description, /Oldest `public_timestamp` first \(name on ties/)
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>)) {
    if (!path.startsWith('/api/')) continue
    for (const [method, op] of Object.entries(item)) {
      t.match(op.responses['414']?.description, /BLAST_URI_TOO_LONG/, `${method} ${path} documents 414`)
      t.match(op.responses['400']?.description, /BLAST_BAD_URL.*BLAST_INVALID_TEXT.*BLAST_MALFORMED_BODY.*BLAST_JSON_TOO_DEEP.*BLAST_INVALID_CURSOR/, `${method} ${path} documents its 400s`)
    }
  }
})
