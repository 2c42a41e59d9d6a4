// compile() and evaluate() on their own: pure functions of a manifest, no database.
import t from 'tap'
import { join } from 'node:path'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { compile, cronFor, evaluate, nextSweepAt, type Plan } from '../../runtime/plan.ts'
import { BLAST_WORKFLOW, FIXTURES, blastWorkflowManifest, tempDir, writeManifest } from '../fixtures/engine/harness.ts'

async function planOf (file: string): Promise<Plan> {
  const { manifest, diagnostics } = await loadManifest(file)
  if (!manifest) throw new Error(diagnostics.map(d => d.message).join('\n'))
  return compile(manifest)
}

const planFrom = (dir: string, text: string) => planOf(writeManifest(dir, text))
const sorted = (list: readonly string[]) => [...list].sort()

t.test('queues, graph relations and topological order of the chain fixture', async t => {
  const plan = await planOf(join(FIXTURES, 'chain.yaml'))
  t.same([...plan.tasks.values()].map(p => [p.name, p.queue]), [
    ['Task A', 'task.task-a'], ['Task B', 'task.task-b'], ['Task C', 'task.task-c'], ['Task D', 'task.task-d'], ['Task E', 'task.task-e']
  ])
  t.same(plan.transientTasks.map(p => p.name), ['Task A', 'Task B', 'Task D', 'Task C', 'Task E'], 'parents first, then manifest order')
  t.same(plan.systemTasks, [])
  const rel = (name: string) => {
    const p = plan.tasks.get(name)!
    return { parents: sorted(p.parents), dependents: sorted(p.dependents), ancestors: sorted(p.ancestors), descendants: sorted(p.descendants) }
  }
  t.same(rel('Task A'), { parents: [], dependents: ['Task B', 'Task D'], ancestors: [], descendants: ['Task B', 'Task C', 'Task D', 'Task E'] })
  t.same(rel('Task C'), { parents: ['Task B'], dependents: ['Task E'], ancestors: ['Task A', 'Task B'], descendants: ['Task E'] })
  t.same(rel('Task E'), { parents: ['Task C', 'Task D'], dependents: [], ancestors: ['Task A', 'Task B', 'Task C', 'Task D'], descendants: [] })
  t.ok([...plan.tasks.values()].every(p => !p.claimChangesDependents), 'no prerequisite names `processing` or `not processed`')
  t.equal(plan.statusTypes.get('no host match'), 'error')
  t.equal(plan.statusTypes.get('skipped'), 'success')
  t.same(['not processed', 'processing', 'processed', 'failed', 'time limit exceeded'].map(s => plan.statusTypes.get(s)),
    ['blank', 'warning', 'success', 'error', 'error'], 'the built-in statuses and their types')
  t.ok(Object.isFrozen(plan) && Object.isFrozen(plan.tasks.get('Task A')) && Object.isFrozen(plan.transientTasks))
})

t.test('the 17-task Blast workflow: ancestors come from the graph, not from hand-written lists', async t => {
  const plan = await planFrom(tempDir(t), blastWorkflowManifest())
  t.equal(plan.transientTasks.length, 17)
  const order = plan.transientTasks.map(p => p.name)
  for (const [name, parents] of BLAST_WORKFLOW) {
    for (const parent of parents) t.ok(order.indexOf(parent) < order.indexOf(name), `${parent} before ${name}`)
    t.same(sorted(plan.tasks.get(name)!.parents), sorted(parents))
  }
  t.same(sorted(plan.tasks.get('Generate thumbnail final')!.ancestors), sorted([
    'Cutout download', 'Generate thumbnail', 'Transient MWEBV', 'Host match', 'Host information', 'Global aperture construction',
    'Global aperture photometry', 'Validate global photometry', 'Local aperture photometry', 'Validate local photometry',
    'Crop transient images'
  ]))
  t.same(sorted(plan.tasks.get('Global host SED inference')!.ancestors), sorted([
    'Cutout download', 'Transient MWEBV', 'Host match', 'Host information', 'Host MWEBV', 'Global aperture construction',
    'Global aperture photometry', 'Validate global photometry'
  ]))
  t.same(sorted(plan.tasks.get('Validate local photometry')!.descendants), sorted([
    'Crop transient images', 'Generate thumbnail final', 'Local host SED inference', 'Generate thumbnail SED local'
  ]))
  t.same(sorted(plan.tasks.get('Cutout download')!.descendants), sorted(BLAST_WORKFLOW.map(([name]) => name).filter(n => n !== 'Cutout download')))
  t.equal(plan.tasks.get('Validate global photometry')!.task.failedStatus, 'phot valid failed')
  t.equal(plan.tasks.get('Host match')!.task.failedStatus, 'failed')
})

t.test('schedules: whole-minute cadences cron can express are crons, the rest are interval tickers', async t => {
  t.equal(cronFor(60), '* * * * *')
  t.equal(cronFor(300), '*/5 * * * *')
  t.equal(cronFor(1800), '*/30 * * * *')
  t.equal(cronFor(3600), '*/60 * * * *', 'hourly (cron-parser reads */60 as minute 0)')
  t.equal(cronFor(7200), '0 */2 * * *')
  t.equal(cronFor(86400), '0 0 * * *')
  for (const seconds of [1, 5, 90, 420, 5400, 18000, 172800]) t.equal(cronFor(seconds), null, `${seconds} s is an interval`)

  const freqs = [60, 300, 7200, 5, 90, 420]
  const plan = await planFrom(tempDir(t), [
    'version: 1',
    'tasks:',
    ...freqs.map(f => `  - { name: Every ${f}, plugin: "{{plugins}}/behave.ts", frequency_seconds: ${f} }`),
    '  - { name: Default, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: Sys, kind: system, plugin: "{{plugins}}/slow-system.ts", frequency_seconds: 240 }'
  ].join('\n'))
  t.same(Object.fromEntries([...plan.tasks.values()].map(p => [p.name, p.schedule])), {
    'Every 60': { kind: 'cron', cron: '* * * * *', everySeconds: 60 },
    'Every 300': { kind: 'cron', cron: '*/5 * * * *', everySeconds: 300 },
    'Every 7200': { kind: 'cron', cron: '0 */2 * * *', everySeconds: 7200 },
    'Every 5': { kind: 'interval', cron: null, everySeconds: 5 },
    'Every 90': { kind: 'interval', cron: null, everySeconds: 90 },
    'Every 420': { kind: 'interval', cron: null, everySeconds: 420 },
    Default: { kind: 'cron', cron: '* * * * *', everySeconds: 60 },
    Sys: { kind: 'cron', cron: '*/4 * * * *', everySeconds: 240 }
  })
  t.same(plan.systemTasks.map(p => p.name), ['Sys'])
  t.equal(plan.tasks.get('Sys')!.queue, 'task.sys')
})

t.test('nextSweepAt falls on multiples of the period since the epoch, where the crons fall', async t => {
  const now = Date.parse('2026-03-01T10:07:31.500Z')
  t.equal(nextSweepAt(60, now).toISOString(), '2026-03-01T10:08:00.000Z')
  t.equal(nextSweepAt(300, now).toISOString(), '2026-03-01T10:10:00.000Z')
  t.equal(nextSweepAt(7200, now).toISOString(), '2026-03-01T12:00:00.000Z')
  t.equal(nextSweepAt(5, now).toISOString(), '2026-03-01T10:07:35.000Z')
  t.equal(nextSweepAt(90, now).toISOString(), '2026-03-01T10:09:00.000Z')
})

t.test('graphHash changes exactly when readiness or progress of an existing transient could change', async t => {
  const base = [
    'version: 1',
    'statuses: [{ message: odd, type: warning, description: first }]',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: B, plugin: "{{plugins}}/behave.ts", prerequisites: { A: processed } }'
  ]
  const hash = async (lines: string[]) => (await planFrom(tempDir(t), lines.join('\n'))).graphHash
  const h0 = await hash(base)
  t.match(h0, /^[0-9a-f]{16}$/)
  t.equal(await hash(base), h0, 'deterministic')
  const same = {
    'a frequency, enablement, timeout, retries, description': [...base.slice(0, 3), '  - { name: A, plugin: "{{plugins}}/behave.ts", frequency_seconds: 5, enabled: false, timeout_seconds: 9, retries: 3, description: x }', base[4]!],
    'a status description': [base[0]!, 'statuses: [{ message: odd, type: warning, description: second }]', ...base.slice(2)],
    'a system task': [...base, '  - { name: S, kind: system, plugin: "{{plugins}}/slow-system.ts" }']
  }
  for (const [what, lines] of Object.entries(same)) t.equal(await hash(lines), h0, `unchanged by ${what}`)
  const different = {
    'a new transient task': [...base, '  - { name: C, plugin: "{{plugins}}/behave.ts" }'],
    'a changed prerequisite': [...base.slice(0, 4), '  - { name: B, plugin: "{{plugins}}/behave.ts", prerequisites: { A: failed } }'],
    'a dropped prerequisite': [...base.slice(0, 4), '  - { name: B, plugin: "{{plugins}}/behave.ts" }'],
    'a status type': [base[0]!, 'statuses: [{ message: odd, type: error, description: first }]', ...base.slice(2)],
    'a new status': [base[0]!, 'statuses: [{ message: odd, type: warning }, { message: even, type: error }]', ...base.slice(2)]
  }
  for (const [what, lines] of Object.entries(different)) t.not(await hash(lines), h0, `changed by ${what}`)
})

t.test('claimChangesDependents: only when a dependent waits on `not processed` or `processing`', async t => {
  const plan = await planFrom(tempDir(t), [
    'version: 1',
    'tasks:',
    '  - { name: A, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: B, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: While A waits, plugin: "{{plugins}}/behave.ts", prerequisites: { A: not processed } }',
    '  - { name: After B, plugin: "{{plugins}}/behave.ts", prerequisites: { B: processed } }'
  ].join('\n'))
  t.equal(plan.tasks.get('A')!.claimChangesDependents, true)
  t.equal(plan.tasks.get('B')!.claimChangesDependents, false)
})

t.test('evaluate(): ready, blocked, progress and processing status', async t => {
  const plan = await planOf(join(FIXTURES, 'chain.yaml'))
  const ev = (statuses: Record<string, string>) => {
    const e = evaluate(plan, task => statuses[task])
    return { ready: sorted([...e.ready]), blocked: sorted([...e.blocked]), progress: e.progress, processingStatus: e.processingStatus }
  }
  const p = 'processed'
  t.same(ev({}), { ready: ['Task A'], blocked: [], progress: 0, processingStatus: 'processing' }, 'no registers yet = all not processed')
  t.same(ev({ 'Task A': 'processing' }), { ready: [], blocked: [], progress: 0, processingStatus: 'processing' }, 'processing counts as remaining')
  t.same(ev({ 'Task A': p }), { ready: ['Task B', 'Task D'], blocked: [], progress: 20, processingStatus: 'processing' })
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task D': 'processing' }),
    { ready: ['Task C'], blocked: [], progress: 40, processingStatus: 'processing' }, 'round(100 × (1 − 3/5))')
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': p, 'Task D': p }), { ready: ['Task E'], blocked: [], progress: 80, processingStatus: 'processing' },
    'a fan-in is ready only when both parents hold')
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': p }), { ready: ['Task D'], blocked: [], progress: 60, processingStatus: 'processing' })
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': p, 'Task D': p, 'Task E': p }), { ready: [], blocked: [], progress: 100, processingStatus: 'completed' })

  t.same(ev({ 'Task A': p, 'Task B': p, 'Task D': 'no host match' }),
    { ready: ['Task C'], blocked: ['Task E'], progress: 80, processingStatus: 'processing' }, 'an error upstream blocks: E is not remaining')
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': p, 'Task D': 'no host match' }),
    { ready: [], blocked: ['Task E'], progress: 100, processingStatus: 'blocked' }, 'done but for blocked tasks, with an error: blocked')
  t.same(ev({ 'Task A': 'failed' }),
    { ready: [], blocked: ['Task B', 'Task C', 'Task D', 'Task E'], progress: 100, processingStatus: 'blocked' },
    'an error anywhere upstream blocks every descendant, transitively')
  t.same(ev({ 'Task A': p, 'Task B': 'time limit exceeded' }),
    { ready: ['Task D'], blocked: ['Task C', 'Task E'], progress: 80, processingStatus: 'processing' })
  t.same(ev({ 'Task A': p, 'Task B': 'skipped', 'Task D': p }),
    { ready: [], blocked: ['Task C', 'Task E'], progress: 100, processingStatus: 'completed' },
    'a parent settled on another success status can never unlock its child: blocked too, but no error, so completed')
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': 'processing', 'Task D': p, 'Task E': p }),
    { ready: [], blocked: [], progress: 80, processingStatus: 'processing' }, 'statuses are read, not assumed consistent')
  t.same(ev({ 'Task A': p, 'Task B': p, 'Task C': p, 'Task D': p, 'Gone task': 'failed' }),
    { ready: ['Task E'], blocked: [], progress: 80, processingStatus: 'processing' }, 'registers of tasks not in the plan do not count')

  const fallback = await planFrom(tempDir(t), [
    'version: 1',
    'statuses: [{ message: no host match, type: error }]',
    'tasks:',
    '  - { name: Host match, plugin: "{{plugins}}/behave.ts" }',
    '  - { name: Hostless, plugin: "{{plugins}}/behave.ts", prerequisites: { Host match: no host match } }'
  ].join('\n'))
  const e = evaluate(fallback, task => ({ 'Host match': 'no host match' } as Record<string, string>)[task])
  t.same([...e.ready], ['Hostless'], 'any status may be named in a prerequisite, errors too')
  t.same([e.progress, e.processingStatus], [50, 'processing'])
  const other = evaluate(fallback, task => ({ 'Host match': 'processed' } as Record<string, string>)[task])
  t.same([[...other.ready], [...other.blocked], other.progress, other.processingStatus], [[], ['Hostless'], 100, 'completed'])
})
