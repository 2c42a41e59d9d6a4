// The plan diff without a database: planChanges() over two compiled fixture manifests, the
// EligibilityTally over hand-written statuses, and the text `blast-tasks plan` prints (pinned).
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { formatChanges } from '../../runtime/commands/plan.ts'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { compile, type Plan } from '../../runtime/plan.ts'
import { EligibilityTally, planChanges, type StoredState } from '../../runtime/planner.ts'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

async function planOf (name: string): Promise<Plan> {
  const { manifest, diagnostics } = await loadManifest(fixture(name), { checkPlugins: false })
  if (!manifest) throw new Error(diagnostics.map(d => d.message).join('\n'))
  return compile(manifest)
}

const base = await planOf('base.yaml')
const candidate = await planOf('candidate.yaml')

// t-done: everything up to Distance processed; t-valid-N: only Validate processed; t-new: nothing yet
const stored: Record<string, Record<string, string>> = {
  't-done': { Validate: 'processed', Match: 'processed', Distance: 'processed', Offset: 'not processed', Sleepy: 'not processed', Busy: 'not processed' },
  't-new': {}
}
for (let i = 1; i <= 7; i++) stored[`t-valid-${i}`] = { Validate: 'processed', Match: 'not processed', Distance: 'not processed' }

function tally (current: Plan | null, next: Plan) {
  const eligible = new EligibilityTally(current, next)
  for (const [name, statuses] of Object.entries(stored)) eligible.add(name, statuses)
  return eligible.result()
}

const state = (overrides: Partial<StoredState> = {}): StoredState => ({
  graphHash: base.graphHash,
  transients: 9,
  registers: new Map([['Validate', 9], ['Match', 9], ['Distance', 9], ['Offset', 9], ['Sleepy', 9], ['Busy', 9], ['Class', 2]]),
  overrides: new Map([['Busy', true]]),
  eligible: tally(base, candidate),
  ...overrides
})

t.test('the tally keeps what the candidate makes eligible and the current plan does not', async t => {
  const found = tally(base, candidate)
  t.same([...found.keys()].sort(), ['Class', 'Distance'], 'Sleepy and Busy were eligible already; Match and Validate did not change')
  t.same(found.get('Class'), { count: 1, sample: ['t-done'] }, 'a new task, its parent processed')
  t.same(found.get('Distance'), { count: 7, sample: ['t-valid-1', 't-valid-2', 't-valid-3', 't-valid-4', 't-valid-5'] },
    'rewired onto Validate: every transient with Validate processed; the sample stops at five')

  const fresh = tally(null, base)
  t.same(fresh.get('Validate')?.count, 1, 'no plan applied: whatever is ready counts (t-new)')
  t.same(fresh.get('Offset')?.sample, ['t-done'])
  t.same(tally(base, base).size, 0, 'the same plan makes nothing eligible')
})

t.test('every kind of change', async t => {
  const changes = planChanges(base, candidate, state())
  t.equal(changes.unchanged, false)
  t.equal(changes.applied_before, true)
  t.equal(changes.graph_changed, true)
  t.same(changes.added, [
    { task: 'Class', kind: 'transient', backfill: 7, enabled: true },
    { task: 'Cleanup', kind: 'system', backfill: 0, enabled: true }
  ], 'a transient task backfills the transients without a register (Class kept 2 from before); a system task none')
  t.same(changes.removed, [{ task: 'Offset', kind: 'transient', registers: 9 }])
  t.same(changes.rewired, [{ task: 'Distance', before: { Match: 'processed' }, after: { Validate: 'processed' } }])
  t.same(changes.retimed, [
    { task: 'Distance', before: 60, after: 300, cron: '*/5 * * * *' },
    { task: 'Ingest', before: 30, after: 45, cron: null }
  ])
  t.same(changes.enabled, [{ task: 'Sleepy', declared_before: false, declared_after: true, override: null, effective_after: true }])
  t.same(changes.disabled, [{ task: 'Busy', declared_before: true, declared_after: false, override: true, effective_after: true }],
    'an operator override wins over the declared value')
  t.same(changes.changed, [
    { task: 'Match', field: 'plugin', before: 'plugins/step.ts', after: 'plugins/step-two.ts' },
    { task: 'Match', field: 'failed_status', before: 'failed', after: 'no host match' },
    { task: 'Match', field: 'timeout_seconds', before: 3600, after: 10 },
    { task: 'Match', field: 'retries', before: 0, after: 2 },
    { task: 'Match', field: 'description', before: '', after: 'now described' }
  ])
  t.same(changes.statuses, {
    added: [{ message: 'too far', type: 'error' }],
    removed: ['old status'],
    retyped: [{ message: 'retyped', before: 'warning', after: 'error' }]
  })
  t.same(changes.eligible, [
    { task: 'Distance', count: 7, sample: ['t-valid-1', 't-valid-2', 't-valid-3', 't-valid-4', 't-valid-5'], enabled: true },
    { task: 'Class', count: 1, sample: ['t-done'], enabled: true }
  ], 'in graph order')
})

t.test('the same manifest changes nothing; none applied adds everything', async t => {
  const same = planChanges(base, base, state({ eligible: new Map() }))
  t.equal(same.unchanged, true)
  t.equal(same.graph_changed, false)
  t.same([same.added, same.removed, same.rewired, same.retimed, same.enabled, same.disabled, same.changed, same.eligible], [[], [], [], [], [], [], [], []])

  const first = planChanges(null, base, { graphHash: null, transients: 0, registers: new Map(), overrides: new Map(), eligible: new Map() })
  t.equal(first.applied_before, false)
  t.same(first.added.map(a => [a.task, a.backfill, a.enabled]), [
    ['Validate', 0, true], ['Match', 0, true], ['Sleepy', 0, false], ['Busy', 0, true], ['Distance', 0, true], ['Offset', 0, true], ['Ingest', 0, true]
  ])
  t.same(first.statuses.removed, [])
})

t.test('the text plan prints', async t => {
  t.equal(formatChanges(planChanges(base, candidate, state()), 'candidate.yaml against PostgreSQL (schema blast)'), [
    'candidate.yaml against PostgreSQL (schema blast) (9 transients):',
    '  + add      Class: backfills 7 transients with "not processed"',
    '  + add      Cleanup (system task)',
    '  - remove   Offset: stops running; its 9 registers are kept',
    '  ~ rewire   Distance: { Match: processed } -> { Validate: processed }',
    '  ~ re-time  Distance: every 60 s -> every 300 s (cron */5 * * * *)',
    '  ~ re-time  Ingest: every 30 s -> every 45 s',
    '  ~ enable   Sleepy',
    '  ~ disable  Busy; an operator override keeps it enabled (PATCH /api/v1/tasks/{task} with {"enabled": null} clears it)',
    '  ~ change   Match: plugin "plugins/step.ts" -> "plugins/step-two.ts"',
    '  ~ change   Match: failed_status "failed" -> "no host match"',
    '  ~ change   Match: timeout_seconds 3600 -> 10',
    '  ~ change   Match: retries 0 -> 2',
    '  ~ change   Match: description',
    '  + status   "too far" (error)',
    '  - status   "old status"',
    '  ~ status   "retyped": warning -> error',
    '  readiness and progress of every transient are re-evaluated',
    'would become eligible:',
    '  Distance  7 transients: t-valid-1, t-valid-2, t-valid-3, t-valid-4, t-valid-5, …',
    '  Class     1 transient: t-done'
  ].join('\n'))

  t.equal(formatChanges(planChanges(base, base, state({ eligible: new Map() })), 'base.yaml against x'),
    'base.yaml against x: no changes; the database runs this manifest (9 transients)')
  const disabled = planChanges(base, candidate, state({ overrides: new Map([['Class', false]]) }))
  t.match(formatChanges(disabled, 'h'), /\n {2}Class {5}1 transient \(disabled: they wait until it is enabled\): t-done$/)
  t.match(formatChanges(disabled, 'h'), /\+ add {6}Class: backfills 7 transients with "not processed"; disabled\n/)
})
