// The plan against a real database: a runtime runs base.yaml on three transients, then the
// candidate is planned from what the database holds — directly (planAgainstDatabase), page by
// page, and through POST /api/v1/manifest/plan, which must give the same answer.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { compile } from '../../runtime/plan.ts'
import { sameReadiness } from '../../runtime/planner.ts'
import { planAgainstDatabase, readAppliedPlan } from '../../runtime/stored-plan.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const BASE = fileURLToPath(new URL('./fixtures/base.yaml', import.meta.url))
const CANDIDATE = fileURLToPath(new URL('./fixtures/candidate.yaml', import.meta.url))
const TOKEN = 'plan-test-token-0123456789'

const runtime = await startTestRuntime(t, { manifest: BASE })
const app = await buildApi(runtime, { token: TOKEN })
t.teardown(() => app.close())

await runtime.createTransients([
  { name: 'a', ra_deg: 1, dec_deg: 1, public_timestamp: '2020-01-01T00:00:00Z' },
  { name: 'b', ra_deg: 2, dec_deg: 2, public_timestamp: '2020-01-02T00:00:00Z', data: { fail: 'Match' } },
  { name: 'c', ra_deg: 3, dec_deg: 3, public_timestamp: '2020-01-03T00:00:00Z', data: { status: { Validate: 'no host match' } } }
])
const settled = (statuses: Record<string, Record<string, string>>) => async () => {
  for (const [name, want] of Object.entries(statuses)) {
    const detail = await runtime.getTransient(name)
    const have = Object.fromEntries(detail.tasks.map(r => [r.task, r.status]))
    if (Object.entries(want).some(([task, status]) => have[task] !== status)) return false
  }
  return true
}
await waitFor(settled({
  a: { Validate: 'processed', Match: 'processed', Distance: 'processed', Offset: 'processed', Busy: 'processed', Sleepy: 'not processed' },
  b: { Validate: 'processed', Match: 'failed', Busy: 'processed' },
  c: { Validate: 'no host match' }
}), { what: 'base.yaml settled on a, b and c' })
await runtime.setEnabled('Busy', true) // an operator override the plan must mention

const candidate = compile((await loadManifest(CANDIDATE)).manifest!)

t.test('the applied plan is rebuilt from the database', async t => {
  const { plan, overrides } = await readAppliedPlan(runtime.db, runtime.store.schema)
  t.same([...plan!.tasks.keys()].sort(), [...runtime.plan.tasks.keys()].sort())
  t.ok(sameReadiness(plan, runtime.plan), 'the same graph as the runtime runs')
  t.notOk(sameReadiness(plan, candidate))
  t.same([...overrides], [['Busy', true]])
})

t.test('planned from the stored statuses', async t => {
  const started = performance.now()
  const changes = await planAgainstDatabase(runtime.db, runtime.store.schema, candidate)
  t.comment(`planned in ${Math.round(performance.now() - started)} ms`)
  t.equal(changes.transients, 3)
  t.same(changes.added, [
    { task: 'Class', kind: 'transient', backfill: 3, enabled: true },
    { task: 'Cleanup', kind: 'system', backfill: 0, enabled: true }
  ])
  t.same(changes.removed, [{ task: 'Offset', kind: 'transient', registers: 3 }])
  t.same(changes.rewired, [{ task: 'Distance', before: { Match: 'processed' }, after: { Validate: 'processed' } }])
  t.same(changes.retimed.map(r => r.task), ['Distance', 'Ingest'])
  t.same(changes.enabled.map(e => e.task), ['Sleepy'])
  t.same(changes.disabled, [{ task: 'Busy', declared_before: true, declared_after: false, override: true, effective_after: true }])
  t.same(changes.changed.map(c => c.field), ['plugin', 'failed_status', 'timeout_seconds', 'retries', 'description'])
  t.same(changes.statuses.removed, ['old status'])
  t.same(changes.eligible, [
    { task: 'Distance', count: 1, sample: ['b'], enabled: true },
    { task: 'Class', count: 1, sample: ['a'], enabled: true }
  ], 'b: Validate processed, Distance not yet (its Match failed); a: Distance processed. c is blocked at Validate')

  t.same(await planAgainstDatabase(runtime.db, runtime.store.schema, candidate, { pageSize: 1 }), changes, 'page by page, the same')
  const same = await planAgainstDatabase(runtime.db, runtime.store.schema, runtime.plan)
  t.equal(same.unchanged, true, 'the manifest the runtime runs changes nothing')
  t.equal(same.graph_changed, false, 'and the runtime would not re-evaluate')
  t.same(same.eligible, [])
})

t.test('POST /api/v1/manifest/plan gives the same answer', async t => {
  const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    app.inject({ method: 'POST', url: '/api/v1/manifest/plan', headers: { 'content-type': 'application/yaml', ...headers }, payload: body })
  const text = await readFile(CANDIDATE, 'utf8')
  const res = await post(text)
  t.equal(res.statusCode, 200, res.body)
  const expected = await planAgainstDatabase(runtime.db, runtime.store.schema, candidate)
  t.same(res.json(), { ok: true, diagnostics: [], changes: JSON.parse(JSON.stringify(expected)) })

  const unchanged = await post(await readFile(BASE, 'utf8'))
  t.equal(unchanged.json().changes.unchanged, true)

  const broken = await post('version: 1\ntasks:\n  - name: A\n    prerequisites: { Nope: processed }\n')
  t.equal(broken.statusCode, 200)
  t.match(broken.json(), { ok: false, changes: null })
  t.ok(broken.json().diagnostics.some((d: { code: string; line: number }) => d.code === 'BLAST_UNKNOWN_TASK' && d.line === 4), 'the diagnostics say why')

  const anonymous = await post(text, {})
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'BLAST_UNAUTHORIZED')
  const json = await app.inject({ method: 'POST', url: '/api/v1/manifest/plan', headers: { authorization: `Bearer ${TOKEN}` }, payload: { a: 1 } })
  t.equal(json.statusCode, 415, 'YAML text only')
})
