// A result's write decides readiness and progress in the database (migration 008's evaluate(), called
// by complete_runs()); everything else decides them with plan.ts evaluate(). The two must agree on
// every graph and every combination of statuses: checked here on the 17-task Blast workflow and on
// random graphs whose prerequisites name every kind of status, on both databases.
import t from 'tap'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { compile, evaluate, type Plan } from '../../runtime/plan.ts'
import { planJson } from '../../runtime/store.ts'
import { startTestRuntime } from '../helpers/runtime.ts'
import { blastWorkflowManifest, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

/** a deterministic generator (mulberry32): a failure names the seed that shows it */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const STATUSES = ['not processed', 'processing', 'processed', 'failed', 'skipped', 'no match', 'partial']

function randomManifest (seed: number): string {
  const next = random(seed)
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
  const lines = [
    'version: 1',
    'statuses:',
    '  - { message: skipped, type: success, description: nothing to do }',
    '  - { message: no match, type: error, description: no host }',
    '  - { message: partial, type: warning, description: some of it }',
    'tasks:'
  ]
  const count = 2 + Math.floor(next() * 12)
  for (let i = 0; i < count; i++) {
    lines.push(`  - name: Task ${i}`, '    plugin: "{{plugins}}/behave.ts"')
    const parents = Array.from({ length: i }, (_, k) => k).filter(() => next() < 0.3)
    if (parents.length) lines.push(`    prerequisites: { ${parents.map(k => `Task ${k}: ${pick(STATUSES)}`).join(', ')} }`)
  }
  return lines.join('\n') + '\n'
}

async function planOf (dir: string, text: string, file: string): Promise<Plan> {
  // the graph is what is compared: the plugins need no probe
  const { manifest, diagnostics } = await loadManifest(writeManifest(dir, text, file), { checkPlugins: false })
  if (!manifest) throw new Error(diagnostics.map(d => `${d.message}`).join('\n'))
  return compile(manifest)
}

t.test('the database evaluates a transient as plan.ts does', async t => {
  const dir = tempDir(t)
  const plans: Array<[string, Plan]> = [['the Blast workflow', await planOf(dir, blastWorkflowManifest(), 'blast.tasks.yaml')]]
  for (let seed = 1; seed <= 40; seed++) plans.push([`random graph, seed ${seed}`, await planOf(dir, randomManifest(seed), `random-${seed}.yaml`)])
  const runtime = await startTestRuntime(t, { manifest: `${dir}/blast.tasks.yaml`, claimTasks: [] })
  const { db, schema } = runtime.store
  let compared = 0
  for (const [what, plan] of plans) {
    const next = random(plan.transientTasks.length * 7919 + compared)
    const names = plan.transientTasks.map(planned => planned.name)
    // mostly the statuses a transient passes through, with every status now and then; a task missing
    // from the map is `not processed`
    const vectors = Array.from({ length: 300 }, () => Object.fromEntries(names.flatMap(name => {
      const r = next()
      if (r < 0.1) return []
      return [[name, r < 0.5 ? 'processed' : STATUSES[Math.floor(next() * STATUSES.length)]!]]
    })))
    vectors.push({}, Object.fromEntries(names.map(name => [name, 'processed'])))
    const rows = await db.query<{ i: string; ready: string[]; progress: number; processing_status: string }>(
      `SELECT x.i, e.ready, e.progress, e.processing_status
         FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS x(statuses, i)
         CROSS JOIN LATERAL ${schema}.evaluate($1::jsonb, x.statuses) e ORDER BY x.i`,
      [planJson(plan), JSON.stringify(vectors)])
    const differ = vectors.flatMap((statuses, i) => {
      const js = evaluate(plan, task => statuses[task])
      const want = { ready: [...js.ready].sort(), progress: js.progress, processing_status: js.processingStatus }
      const row = rows[i]!
      const got = { ready: [...row.ready].sort(), progress: row.progress, processing_status: row.processing_status }
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [{ statuses, want, got }]
    })
    t.same(differ, [], `${what}: ${vectors.length} transients, the same answers`)
    compared += vectors.length
  }
  t.ok(compared > 10_000, `${compared} transients compared`)
})
