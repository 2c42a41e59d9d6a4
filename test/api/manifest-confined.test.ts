// POST /api/v1/manifest/validate and /plan, and a hot reload, on manifests whose plugins would end,
// hang or leak from a runtime that loaded them in its own thread. Each is a diagnostic; the runtime
// (this very process: a plugin loaded here would end the test) keeps answering. Embedded database,
// or a fresh schema on PostgreSQL with DATABASE_URL.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { startTestRuntime } from '../helpers/runtime.ts'

const FIXTURE = 'test/fixtures/confined'
const TOKEN = 'test-token-0123456789abcdef'

// the runtime's folder is a copy, so that a hot reload can edit its manifest (the link in links/
// still leads to test/fixtures/outside/, outside the copy)
const dir = mkdtempSync(join(tmpdir(), 'blast-confined-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
cpSync(FIXTURE, dir, { recursive: true })
const manifest = join(dir, 'blast.tasks.yaml')

const runtime = await startTestRuntime(t, { manifest })
const app = await buildApi(runtime, { token: TOKEN })
t.teardown(() => app.close())

const text = (name: string) => readFileSync(join(FIXTURE, `${name}.yaml`), 'utf8')

async function post (path: string, body: string) {
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/manifest/${path}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
    payload: body
  })
  return { status: res.statusCode, body: res.json(), text: res.body }
}

async function healthy (): Promise<boolean> {
  const res = await app.inject({ method: 'GET', url: '/health' })
  return res.statusCode === 200 && res.json().status === 'ok'
}

/** per fixture: the one diagnostic, as `line:column code` and its message */
const EXPECTED: Record<string, { at: string; message: RegExp }> = {
  'outside-relative': { at: '5:30 BLAST_PLUGIN_OUTSIDE', message: /^plugin "\.\.\/\.\.\/x\.ts" of task "Escapes" is outside the manifest's folder / },
  'outside-absolute': { at: '5:30 BLAST_PLUGIN_OUTSIDE', message: /^plugin "\/etc\/passwd" of task "Escapes" is outside the manifest's folder / },
  'outside-link': { at: '5:30 BLAST_PLUGIN_OUTSIDE', message: /^plugin "links\/escape\.ts" of task "Escapes" leads outside the manifest's folder .* through a symbolic link;/ },
  'outside-default': { at: '5:13 BLAST_PLUGIN_OUTSIDE', message: /^the plugin plugins\/linked\.ts of task "Linked" leads outside/ },
  'not-a-module': { at: '5:28 BLAST_PLUGIN_EXTENSION', message: /^plugin "notes\.txt" of task "Notes" is a \.txt file;/ },
  exits: { at: '5:28 BLAST_PLUGIN_LOAD', message: /faults\/exits-on-load\.ts calls process\.exit\(7\) while loading; a plugin must not end the process$/ },
  loops: { at: '5:28 BLAST_PLUGIN_LOAD', message: /faults\/loops-on-load\.ts did not finish loading within the 10 s limit/ },
  throws: { at: '5:29 BLAST_PLUGIN_LOAD', message: /faults\/throws-null-object\.ts throws while loading: a thrown value that cannot be turned into text$/ },
  rejects: { at: '5:30 BLAST_PLUGIN_LOAD', message: /faults\/rejects-on-load\.ts leaves a promise rejection unhandled while loading: nobody waits for this$/ }
}

for (const [name, expected] of Object.entries(EXPECTED)) {
  t.test(`${name}: validate and plan answer with the diagnostic, and the runtime lives`, async (t) => {
    // both at once: each probe is its own worker, and the endless one costs its 10 s only once
    const [validate, plan] = await Promise.all([post('validate', text(name)), post('plan', text(name))])
    for (const [route, res] of [['validate', validate], ['plan', plan]] as const) {
      t.equal(res.status, 200, `${route}: 200 (${res.text.slice(0, 200)})`)
      t.equal(res.body.ok, false, `${route}: not ok`)
      t.same(res.body.diagnostics.map((d: { line: number; column: number; code: string }) => `${d.line}:${d.column} ${d.code}`), [expected.at], `${route}: one diagnostic`)
      t.match(res.body.diagnostics[0]?.message, expected.message, `${route}: the message`)
      t.notMatch(res.text, /root:|hunter2/, `${route}: no file content`)
    }
    t.equal(plan.body.changes, null, 'plan: no changes compared')
    t.ok(await healthy(), '/health still answers')
  })
}

t.test('the good manifest beside them plans fine', async (t) => {
  const res = await post('plan', readFileSync(join(FIXTURE, 'blast.tasks.yaml'), 'utf8'))
  t.equal(res.body.ok, true, res.text.slice(0, 300))
  t.equal(res.body.changes.unchanged, true)
})

t.test('a hot reload to a plugin that exits at load is rejected; the last good manifest keeps running', async (t) => {
  writeFileSync(manifest, text('exits'))
  const result = await runtime.reload()
  t.equal(result.ok, false)
  t.same(result.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`), ['5:28 BLAST_PLUGIN_LOAD'])
  t.match(result.diagnostics[0]!.message, /calls process\.exit\(7\) while loading/)
  const info = await app.inject({ method: 'GET', url: '/api/v1/manifest' })
  t.equal(info.json().last_attempt_ok, false)
  t.same(info.json().manifest.tasks.map((task: { name: string }) => task.name), ['Fine'], 'the last good manifest')
  t.ok(await healthy())
  writeFileSync(manifest, readFileSync(join(FIXTURE, 'blast.tasks.yaml'), 'utf8'))
  t.equal((await runtime.reload()).ok, true, 'a good edit applies again')
})
