// The OpenAPI document: valid, complete (descriptions, tags, security), every mutating operation
// refuses a caller without the token, and a client generated from it compiles and drives a transient
// through the pipeline over a real socket.
// The committed client types (test/api/generated/schema.d.ts) are regenerated with
//   npx tap -S --disable-coverage test/api/openapi.test.ts
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { validate } from '@readme/openapi-parser'
import createClient from 'openapi-fetch'
import openapiTS, { astToString } from 'openapi-typescript'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import type { paths } from './generated/schema.d.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))
const GENERATED = fileURLToPath(new URL('./generated/schema.d.ts', import.meta.url))
const TOKEN = 'openapi-test-token-0123456789'
const MUTATING = new Set(['post', 'put', 'patch', 'delete'])
const HEADER = '// Generated from GET /docs/json by openapi-typescript; do not edit.\n' +
  '// Regenerate: npx tap -S --disable-coverage test/api/openapi.test.ts\n\n'

const runtime = await startTestRuntime(t, { manifest: MANIFEST })
const app = await buildApi(runtime, { token: TOKEN })
t.teardown(() => app.close())

type Operation = {
  operationId?: string
  summary?: string
  tags?: string[]
  security?: unknown[]
  parameters?: Array<{ name: string; in: string; description?: string }>
  requestBody?: { description?: string; content: Record<string, unknown> }
  responses: Record<string, { description?: string; content?: Record<string, { schema: { $ref?: string } }> }>
}
const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
const operations: Array<{ method: string; path: string; op: Operation }> = Object.entries(doc.paths as Record<string, Record<string, Operation>>)
  .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })))

t.test('the document validates as OpenAPI', async (t) => {
  const result = await validate(structuredClone(doc))
  t.same(result, { valid: true, warnings: [], specification: 'OpenAPI' })
  t.equal(doc.openapi, '3.1.0')
})

t.test('every operation is named, tagged, described and typed', async (t) => {
  const tags = new Set(doc.tags.map((x: { name: string }) => x.name))
  const ids = new Set<string>()
  t.same(operations.map(({ op }) => op.operationId).sort(), [
    'createTransients', 'deleteTransient', 'explainTask', 'getManifest', 'getRun', 'getTask', 'getTransient', 'health',
    'listRuns', 'listStatuses', 'listTasks', 'listTransients', 'metrics', 'planManifest', 'putTransient', 'ready', 'reprocessTransient',
    'resetTask', 'retriggerTransient', 'runTask', 'updateTask', 'validateManifest'
  ], 'every operation of the API, and no more')
  for (const { method, path, op } of operations) {
    const where = `${method.toUpperCase()} ${path}`
    t.type(op.operationId, 'string', `${where} operationId`)
    t.notOk(ids.has(op.operationId!), `${where} operationId is unique`)
    ids.add(op.operationId!)
    t.type(op.summary, 'string', `${where} summary`)
    t.ok(op.tags?.length === 1 && tags.has(op.tags[0]), `${where} has one declared tag`)
    for (const p of op.parameters ?? []) t.type(p.description, 'string', `${where} parameter ${p.name} described`)
    if (op.requestBody) {
      const content = Object.values(op.requestBody.content) as Array<{ schema: unknown }>
      t.ok(content.every((c) => c.schema !== undefined), `${where} request body has a schema`)
    }
    for (const [status, response] of Object.entries(op.responses)) {
      t.type(response.description, 'string', `${where} ${status} described`)
      if (status !== '204') t.ok(response.content, `${where} ${status} has a schema`)
      if (/^[45]/.test(status) && status !== '503') {
        t.equal(response.content?.['application/json']?.schema.$ref, '#/components/schemas/Error', `${where} ${status} is the Error shape`)
      }
    }
    if (path.startsWith('/api/') && MUTATING.has(method)) {
      t.same(op.security, [{ bearerAuth: [] }], `${where} declares the bearer token`)
      t.ok(op.responses['401'], `${where} documents 401`)
    }
  }
  for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, { description?: string; properties?: Record<string, { description?: string; $ref?: string }> }>)) {
    t.type(schema.description, 'string', `schema ${name} described`)
    for (const [prop, sub] of Object.entries(schema.properties ?? {})) {
      t.ok(typeof sub.description === 'string' || sub.$ref !== undefined, `${name}.${prop} described`)
    }
  }
})

t.test('the document passes @redocly/cli lint with its recommended rules, with no warning', async (t) => {
  const dir = t.testdir({ 'openapi.json': JSON.stringify(doc) })
  const cli = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js')
  const run = promisify(execFile)
  const result = await run(process.execPath, [cli, 'lint', join(dir, 'openapi.json'), '--extends', 'recommended', '--format', 'json'], { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
    .then(({ stdout }) => ({ code: 0, stdout }), (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }))
  const report = JSON.parse(result.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> }
  t.same(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`), [], 'no problem reported')
  t.same(report.totals, { ...report.totals, errors: 0, warnings: 0 })
  t.equal(result.code, 0, 'the linter exits 0')
  t.same(doc.servers, [{ url: '/', description: 'The runtime serving this document.' }])
  t.equal(doc.info.license?.identifier, 'MIT')
  for (const { method, path, op } of operations) {
    if (op.security?.length !== 0) continue
    t.notOk(path.startsWith('/api/') && MUTATING.has(method), `${method.toUpperCase()} ${path} is open and not a mutation`)
  }
  t.same(operations.filter(({ op }) => op.security === undefined).map(({ path }) => path), [], 'every operation declares its security, [] when open')
})

t.test('every error response carries real examples of its own status, and the probes answer their 4xx', async (t) => {
  type Media = { schema: { $ref?: string }; examples?: Record<string, { value: { statusCode: number; code: string; error: string; message: string } }> }
  let seen = 0
  for (const { method, path, op } of operations) {
    for (const [status, response] of Object.entries(op.responses)) {
      const media = response.content?.['application/json'] as Media | undefined
      if (!/^[45]/.test(status) || media?.schema.$ref !== '#/components/schemas/Error') continue
      const examples = Object.values(media.examples ?? {})
      t.ok(examples.length > 0, `${method.toUpperCase()} ${path} ${status} has examples`)
      for (const { value } of examples) {
        seen++
        t.equal(value.statusCode, Number(status), `${method.toUpperCase()} ${path} ${status} example ${value.code} has its status`)
        t.match(value.code, /^BLAST_[A-Z_]+$/)
        t.notMatch(value.message, /%s/, 'the message is filled in')
      }
    }
  }
  t.ok(seen > 100, `${seen} examples`)
  for (const url of ['/health', '/ready']) {
    const bad = await app.inject({ method: 'GET', url: `${url}?x=%E0%A4%A` })
    t.same([bad.statusCode, bad.json().code], [400, 'BLAST_BAD_URL'], `${url} with a bad escape`)
    const long = await app.inject({ method: 'GET', url: `${url}?x=${'a'.repeat(5000)}` })
    t.same([long.statusCode, long.json().code], [414, 'BLAST_URI_TOO_LONG'], `${url} with an over-long URL`)
  }
})

t.test('every mutating operation answers 401 without the token', async (t) => {
  const mutating = operations.filter(({ method }) => MUTATING.has(method))
  t.equal(mutating.length, 10, 'POST, PUT, PATCH and DELETE operations')
  const sample: Record<string, string> = { task: 'Step%20one', name: '2024abc', id: '1' }
  for (const { method, path } of mutating) {
    const url = path.replace(/\{(\w+)\}/g, (_, p: string) => sample[p])
    for (const authorization of [undefined, 'Bearer not-the-token']) {
      const res = await app.inject({ method: method.toUpperCase() as 'POST', url, headers: authorization ? { authorization } : {} })
      t.equal(res.statusCode, 401, `${method.toUpperCase()} ${url} ${authorization ? 'wrong token' : 'no token'}`)
      t.equal(res.json().code, 'BLAST_UNAUTHORIZED')
      t.equal(res.headers['www-authenticate'], 'Bearer realm="blast-tasks"')
    }
  }
})

t.test('the generated client types are up to date and compile', async (t) => {
  const generated = HEADER + astToString(await openapiTS(structuredClone(doc)))
  if (t.writeSnapshot) await writeFile(GENERATED, generated)
  t.equal(await readFile(GENERATED, 'utf8'), generated,
    'test/api/generated/schema.d.ts matches /docs/json (regenerate: npx tap -S --disable-coverage test/api/openapi.test.ts)')

  // A tiny client on the freshly generated types, compiled by tsc with the project's strictness.
  const dir = t.testdir({
    'schema.d.ts': generated,
    'client.ts': [
      "import createClient from 'openapi-fetch'",
      "import type { components, paths } from './schema.d.ts'",
      '',
      'type Detail = components[\'schemas\'][\'TransientDetail\']',
      "const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1', headers: { authorization: 'Bearer x' } })",
      '',
      'export async function demo (): Promise<Detail | undefined> {',
      "  const created = await client.POST('/api/v1/transients', { body: { name: 'x', ra_deg: 1, dec_deg: 2 } })",
      '  if (created.error) { const code: string = created.error.code; void code }',
      "  await client.PATCH('/api/v1/tasks/{task}', { params: { path: { task: 'Step one' } }, body: { enabled: null } })",
      "  const page = await client.GET('/api/v1/transients', { params: { query: { limit: 10, processing_status: 'completed' } } })",
      '  const next: string | null | undefined = page.data?.next_cursor',
      '  void next',
      "  // @ts-expect-error ra_deg is a number",
      "  await client.POST('/api/v1/transients', { body: { name: 'x', ra_deg: '1', dec_deg: 2 } })",
      "  // @ts-expect-error no such route",
      "  await client.GET('/api/v1/nope')",
      "  const { data } = await client.GET('/api/v1/transients/{name}', { params: { path: { name: 'x' } } })",
      '  return data',
      '}',
      ''
    ].join('\n'),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'es2023',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2023', 'dom'],
        types: [],
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true
      },
      files: ['client.ts']
    })
  })
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const run = promisify(execFile)
  const result = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]).then(
    () => ({ code: 0, out: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: err.stdout + err.stderr })
  )
  t.same(result, { code: 0, out: '' }, 'tsc --noEmit on the client')
})

t.test('the generated client drives a transient through the pipeline', async (t) => {
  const server = await buildApi(runtime, { token: TOKEN })
  t.teardown(() => server.close())
  await server.listen({ host: '127.0.0.1', port: 0 })
  const { port } = server.server.address() as AddressInfo
  const client = createClient<paths>({ baseUrl: `http://127.0.0.1:${port}`, headers: { authorization: `Bearer ${TOKEN}` } })

  const created = await client.POST('/api/v1/transients', {
    body: { name: '2024client', ra_deg: 150.1, dec_deg: 2.2, public_timestamp: '2024-05-06T07:08:09Z', data: { via: 'openapi-fetch' } }
  })
  t.equal(created.response.status, 201)
  t.equal(created.data?.created[0].name, '2024client')

  const detail = await waitFor(async () => {
    const { data } = await client.GET('/api/v1/transients/{name}', { params: { path: { name: '2024client' } } })
    return data?.processing_status === 'completed' ? data : undefined
  }, { what: '2024client completed' })
  t.equal(detail?.progress, 100)
  t.same(detail?.tasks.map((r) => r.status), ['processed', 'processed', 'processed', 'processed'])

  const again = await client.POST('/api/v1/transients', { body: { name: '2024client', ra_deg: 1, dec_deg: 1 } })
  t.equal(again.response.status, 409)
  t.equal(again.error?.code, 'BLAST_TRANSIENT_EXISTS')

  const runs = await client.GET('/api/v1/runs', { params: { query: { transient: '2024client', task: 'Step three' } } })
  t.match(runs.data?.items, [{ task: 'Step three', transient: '2024client', status: 'processed' }])

  const anonymous = createClient<paths>({ baseUrl: `http://127.0.0.1:${port}` })
  const refused = await anonymous.DELETE('/api/v1/transients/{name}', { params: { path: { name: '2024client' } } })
  t.equal(refused.response.status, 401)
  t.equal(refused.error?.code, 'BLAST_UNAUTHORIZED')
})
