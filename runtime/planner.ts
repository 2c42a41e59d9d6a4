// What applying a manifest would do: `blast-tasks plan` and POST /api/v1/manifest/plan. Pure, no
// I/O: planChanges() is the diff of two plans given what the database holds (StoredState), and
// EligibilityTally decides, from stored statuses fed to it, which transients a candidate plan makes
// eligible. Reading those from the database is stored-plan.ts's part.
import { cronFor, evaluate, type Plan } from './plan.ts'
import type { Status, StatusType, Task, TaskKind } from './types.ts'

/** how many transient names each eligibility entry lists */
export const SAMPLE_SIZE = 5

export interface AddedTask { readonly task: string; readonly kind: TaskKind; readonly backfill: number; readonly enabled: boolean }
export interface RemovedTask { readonly task: string; readonly kind: TaskKind; readonly registers: number }
export interface Rewired {
  readonly task: string
  readonly before: Readonly<Record<string, string>>
  readonly after: Readonly<Record<string, string>>
}
export interface Retimed { readonly task: string; readonly before: number; readonly after: number; readonly cron: string | null }
export interface EnablementChange {
  readonly task: string
  readonly declared_before: boolean
  readonly declared_after: boolean
  /** the operator override kept in the database; it wins over the declared value */
  readonly override: boolean | null
  readonly effective_after: boolean
}
export const CHANGED_FIELDS = ['kind', 'plugin', 'failed_status', 'timeout_seconds', 'retries', 'memory_mb', 'max_output_bytes', 'concurrency', 'description'] as const
export interface FieldChange {
  readonly task: string
  readonly field: (typeof CHANGED_FIELDS)[number]
  readonly before: string | number
  readonly after: string | number
}
export interface StatusChanges {
  readonly added: ReadonlyArray<{ readonly message: string; readonly type: StatusType }>
  readonly removed: readonly string[]
  readonly retyped: ReadonlyArray<{ readonly message: string; readonly before: StatusType; readonly after: StatusType }>
}
export interface Eligibility {
  readonly task: string
  /** transients that are not eligible for the task now and would be once the manifest is applied */
  readonly count: number
  /** the first of them, in ingest order */
  readonly sample: readonly string[]
  /** effective enablement after applying: a disabled task waits until it is enabled */
  readonly enabled: boolean
}

/** The answer of `blast-tasks plan --json` and POST /api/v1/manifest/plan (snake_case, as the API). */
export interface ManifestChanges {
  /** nothing would change */
  readonly unchanged: boolean
  /** false when the database has no manifest applied yet (every task is then added) */
  readonly applied_before: boolean
  readonly transients: number
  /** readiness and progress of every transient are re-evaluated on apply */
  readonly graph_changed: boolean
  readonly added: readonly AddedTask[]
  readonly removed: readonly RemovedTask[]
  readonly rewired: readonly Rewired[]
  readonly retimed: readonly Retimed[]
  readonly enabled: readonly EnablementChange[]
  readonly disabled: readonly EnablementChange[]
  readonly changed: readonly FieldChange[]
  readonly statuses: StatusChanges
  readonly eligible: readonly Eligibility[]
}

export interface StoredState {
  /** the graph hash the stored readiness was last evaluated with (the runtime's meta); null: none */
  readonly graphHash: string | null
  readonly transients: number
  /** registers per task name; a task's backfill is transients − its registers */
  readonly registers: ReadonlyMap<string, number>
  /** operator overrides of `enabled`, by task name */
  readonly overrides: ReadonlyMap<string, boolean>
  /** from EligibilityTally.result() */
  readonly eligible: ReadonlyMap<string, { readonly count: number; readonly sample: readonly string[] }>
}

/**
 * Feeds stored statuses through both plans' readiness rule (plan.ts evaluate) and keeps, per task of
 * the candidate, the transients that are eligible under the candidate but not under the current plan.
 */
export class EligibilityTally {
  readonly #current: Plan | null
  readonly #candidate: Plan
  readonly #sampleSize: number
  readonly #found = new Map<string, { count: number; sample: string[] }>()

  constructor (current: Plan | null, candidate: Plan, sampleSize: number = SAMPLE_SIZE) {
    this.#current = current
    this.#candidate = candidate
    this.#sampleSize = sampleSize
  }

  add (name: string, statuses: Readonly<Record<string, string>>): void {
    const statusOf = (task: string) => Object.hasOwn(statuses, task) ? statuses[task] : undefined
    const now = this.#current ? evaluate(this.#current, statusOf).ready : new Set<string>()
    for (const task of evaluate(this.#candidate, statusOf).ready) {
      if (now.has(task)) continue
      let entry = this.#found.get(task)
      if (!entry) this.#found.set(task, entry = { count: 0, sample: [] })
      entry.count++
      if (entry.sample.length < this.#sampleSize) entry.sample.push(name)
    }
  }

  result (): ReadonlyMap<string, { readonly count: number; readonly sample: readonly string[] }> {
    return this.#found
  }
}

/** The diff of the applied plan (null: none yet) and a candidate. Pure. */
export function planChanges (current: Plan | null, candidate: Plan, stored: StoredState): ManifestChanges {
  const before = current?.tasks ?? new Map()
  const after = candidate.tasks
  const effective = (task: Task) => stored.overrides.get(task.name) ?? task.enabled

  const added: AddedTask[] = []
  const rewired: Rewired[] = []
  const retimed: Retimed[] = []
  const enabled: EnablementChange[] = []
  const disabled: EnablementChange[] = []
  const changed: FieldChange[] = []
  for (const { task } of orderOf(candidate)) {
    const old = before.get(task.name)?.task
    if (!old) {
      const backfill = task.kind === 'transient' ? Math.max(0, stored.transients - (stored.registers.get(task.name) ?? 0)) : 0
      added.push({ task: task.name, kind: task.kind, backfill, enabled: effective(task) })
      continue
    }
    if (!samePrerequisites(old.prerequisites, task.prerequisites)) {
      rewired.push({ task: task.name, before: old.prerequisites, after: task.prerequisites })
    }
    if (old.frequencySeconds !== task.frequencySeconds) {
      retimed.push({ task: task.name, before: old.frequencySeconds, after: task.frequencySeconds, cron: cronFor(task.frequencySeconds) })
    }
    if (old.enabled !== task.enabled) {
      const change = {
        task: task.name, declared_before: old.enabled, declared_after: task.enabled,
        override: stored.overrides.get(task.name) ?? null, effective_after: effective(task)
      }
      ;(task.enabled ? enabled : disabled).push(change)
    }
    for (const field of CHANGED_FIELDS) {
      const [was, is] = [fieldOf(old, field), fieldOf(task, field)]
      if (was !== is) changed.push({ task: task.name, field, before: was, after: is })
    }
  }
  const removed: RemovedTask[] = [...before.values()]
    .filter(planned => !after.has(planned.name))
    .map(planned => ({ task: planned.name, kind: planned.task.kind, registers: stored.registers.get(planned.name) ?? 0 }))

  const statuses = statusChanges(current?.manifest.statuses ?? [], candidate.manifest.statuses)
  const eligible: Eligibility[] = []
  for (const planned of candidate.transientTasks) {
    const found = stored.eligible.get(planned.name)
    if (found?.count) eligible.push({ task: planned.name, count: found.count, sample: [...found.sample], enabled: effective(planned.task) })
  }
  // the runtime re-evaluates every transient when the candidate's hash is not the one it stored
  const graphChanged = stored.graphHash !== candidate.graphHash && (stored.graphHash !== null || candidate.transientTasks.length > 0)
  const unchanged = !added.length && !removed.length && !rewired.length && !retimed.length && !enabled.length &&
    !disabled.length && !changed.length && !statuses.added.length && !statuses.removed.length && !statuses.retyped.length
  return {
    unchanged,
    applied_before: current !== null,
    transients: stored.transients,
    graph_changed: graphChanged,
    added, removed, rewired, retimed, enabled, disabled, changed, statuses, eligible
  }
}

// transient tasks in graph order, then system tasks: the order `graph` and the API list them in
function orderOf (plan: Plan) {
  return [...plan.transientTasks, ...plan.systemTasks]
}

/** whether two plans decide readiness alike for every transient: the same transient tasks, prerequisites and status types */
export function sameReadiness (a: Plan | null, b: Plan): boolean {
  if (!a) return b.transientTasks.length === 0
  const key = (plan: Plan) => JSON.stringify({
    tasks: plan.transientTasks.map(p => [p.name, Object.entries(p.task.prerequisites).sort()]).sort(),
    statuses: [...plan.statusTypes].sort()
  })
  return key(a) === key(b)
}

function samePrerequisites (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every(key => Object.hasOwn(b, key) && b[key] === a[key])
}

function fieldOf (task: Task, field: FieldChange['field']): string | number {
  switch (field) {
    case 'kind': return task.kind
    case 'plugin': return task.pluginRef
    case 'failed_status': return task.failedStatus
    case 'timeout_seconds': return task.timeoutSeconds
    case 'retries': return task.retries
    case 'memory_mb': return task.memoryMb
    case 'max_output_bytes': return task.maxOutputBytes
    case 'concurrency': return task.concurrency
    case 'description': return task.description
  }
}

function statusChanges (before: readonly Status[], after: readonly Status[]): StatusChanges {
  const was = new Map(before.map(status => [status.message, status.type]))
  const is = new Map(after.map(status => [status.message, status.type]))
  return {
    added: after.filter(status => !was.has(status.message)).map(status => ({ message: status.message, type: status.type })),
    removed: before.filter(status => !is.has(status.message)).map(status => status.message),
    retyped: after.filter(status => was.has(status.message) && was.get(status.message) !== status.type)
      .map(status => ({ message: status.message, before: was.get(status.message)!, after: status.type }))
  }
}
