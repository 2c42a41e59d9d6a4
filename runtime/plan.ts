// compile(): the manifest turned into what the engine acts on — queues, schedules, the graph and
// its derived relations. Pure: no I/O, deterministic, snapshot-testable. evaluate() decides, from a
// transient's statuses, which of its tasks are ready and how far along it is; migration 008's
// evaluate() decides the same in the database for run results (test/engine/evaluate-sql.test.ts).
import { createHash } from 'node:crypto'
import { BUILTIN_STATUSES, type Manifest, type ProcessingStatus, type StatusType, type Task, type TaskSchedule } from './types.ts'

export const SWEEP_QUEUE = 'blast.sweep'

export interface PlannedTask {
  readonly task: Task
  readonly name: string
  /** the pg-boss queue its runs go through */
  readonly queue: string
  readonly schedule: TaskSchedule
  /** tasks named in its prerequisites */
  readonly parents: readonly string[]
  /** tasks whose prerequisites name it */
  readonly dependents: readonly string[]
  /** everything upstream / downstream, transitively */
  readonly ancestors: readonly string[]
  readonly descendants: readonly string[]
  /** a claim (not processed → processing) of this task can change a dependent's readiness */
  readonly claimChangesDependents: boolean
}

export interface Plan {
  readonly manifest: Manifest
  readonly tasks: ReadonlyMap<string, PlannedTask>
  /** transient tasks in topological order (parents before children, then manifest order) */
  readonly transientTasks: readonly PlannedTask[]
  readonly systemTasks: readonly PlannedTask[]
  readonly statusTypes: ReadonlyMap<string, StatusType>
  /** changes whenever readiness or progress of an existing transient could change */
  readonly graphHash: string
}

/** the statuses of a task not settled yet: a prerequisite on another status may still come to hold */
export const SETTLING: ReadonlySet<string> = new Set<string>([BUILTIN_STATUSES.notProcessed, BUILTIN_STATUSES.processing])

/** A cron expression for cadences pg-boss's minute-granular cron expresses exactly, else null. */
export function cronFor (seconds: number): string | null {
  if (seconds % 60 !== 0) return null
  const minutes = seconds / 60
  if (minutes === 1) return '* * * * *'
  if (60 % minutes === 0) return `*/${minutes} * * * *`
  if (minutes % 60 !== 0) return null
  const hours = minutes / 60
  if (hours === 24) return '0 0 * * *'
  if (24 % hours === 0) return `0 */${hours} * * *`
  return null
}

/** Sweeps fall on multiples of the period since the epoch, which is also where the crons fall. */
export function nextSweepAt (seconds: number, now: number = Date.now()): Date {
  const period = seconds * 1000
  return new Date((Math.floor(now / period) + 1) * period)
}

function closure (start: string, next: (name: string) => readonly string[]): string[] {
  const seen = new Set<string>()
  const stack = [...next(start)]
  while (stack.length) {
    const name = stack.pop()!
    if (seen.has(name)) continue
    seen.add(name)
    stack.push(...next(name))
  }
  return [...seen]
}

export function compile (manifest: Manifest): Plan {
  const byName = new Map(manifest.tasks.map(task => [task.name, task]))
  const dependents = new Map<string, string[]>(manifest.tasks.map(task => [task.name, []]))
  for (const task of manifest.tasks) {
    for (const parent of Object.keys(task.prerequisites)) dependents.get(parent)?.push(task.name)
  }
  const parentsOf = (name: string) => Object.keys(byName.get(name)?.prerequisites ?? {})
  const dependentsOf = (name: string) => dependents.get(name) ?? []

  const tasks = new Map<string, PlannedTask>()
  for (const task of manifest.tasks) {
    const cron = cronFor(task.frequencySeconds)
    tasks.set(task.name, Object.freeze({
      task,
      name: task.name,
      queue: `task.${task.slug}`,
      schedule: Object.freeze({ kind: cron ? 'cron' : 'interval', cron, everySeconds: task.frequencySeconds } as const),
      parents: Object.freeze(parentsOf(task.name)),
      dependents: Object.freeze(dependentsOf(task.name)),
      ancestors: Object.freeze(closure(task.name, parentsOf)),
      descendants: Object.freeze(closure(task.name, dependentsOf)),
      claimChangesDependents: dependentsOf(task.name).some(child => SETTLING.has(byName.get(child)!.prerequisites[task.name]))
    }))
  }

  // Kahn's algorithm in manifest order; the manifest is acyclic (diagnostics reject cycles).
  const order: PlannedTask[] = []
  const pending = new Map(manifest.tasks.map(task => [task.name, parentsOf(task.name).length]))
  const queue = manifest.tasks.filter(task => pending.get(task.name) === 0).map(task => task.name)
  while (queue.length) {
    const name = queue.shift()!
    order.push(tasks.get(name)!)
    for (const child of dependentsOf(name)) {
      pending.set(child, pending.get(child)! - 1)
      if (pending.get(child) === 0) queue.push(child)
    }
  }
  if (order.length !== manifest.tasks.length) throw new Error('compile: the task graph has a cycle')

  const statusTypes = new Map(manifest.statuses.map(status => [status.message, status.type]))
  const transientTasks = order.filter(planned => planned.task.kind === 'transient')
  const graphHash = createHash('sha256').update(JSON.stringify({
    tasks: transientTasks.map(planned => [planned.name, planned.task.prerequisites]),
    statuses: [...statusTypes].sort()
  })).digest('hex').slice(0, 16)

  return Object.freeze({
    manifest,
    tasks,
    transientTasks: Object.freeze(transientTasks),
    systemTasks: Object.freeze(order.filter(planned => planned.task.kind === 'system')),
    statusTypes,
    graphHash
  })
}

export interface Evaluation {
  /** not processed, and every prerequisite holds */
  readonly ready: ReadonlySet<string>
  /** not processed, and can no longer become ready without an operator: a prerequisite settled
   *  on another status, or is itself blocked (Blast: an error-type status upstream) */
  readonly blocked: ReadonlySet<string>
  readonly progress: number
  readonly processingStatus: ProcessingStatus
}

/**
 * Blast's progress, with ancestors derived from the graph instead of hand-written lists:
 * remaining = (not processed − blocked) + processing; progress = round(100 × (1 − remaining / N));
 * processing below 100, else blocked if any task has an error-type status, else completed.
 */
export function evaluate (plan: Plan, statusOf: (task: string) => string | undefined): Evaluation {
  const ready = new Set<string>()
  const blocked = new Set<string>()
  let remaining = 0
  let anyError = false
  for (const planned of plan.transientTasks) {
    const status = statusOf(planned.name) ?? BUILTIN_STATUSES.notProcessed
    if (plan.statusTypes.get(status) === 'error') anyError = true
    if (status === BUILTIN_STATUSES.processing) remaining++
    if (status !== BUILTIN_STATUSES.notProcessed) continue
    let holds = true
    let stuck = false
    for (const [parent, required] of Object.entries(planned.task.prerequisites)) {
      const current = statusOf(parent) ?? BUILTIN_STATUSES.notProcessed
      if (current === required) continue
      holds = false
      if (blocked.has(parent) || !SETTLING.has(current)) stuck = true
    }
    if (holds) ready.add(planned.name)
    if (stuck) blocked.add(planned.name)
    else remaining++
  }
  const total = plan.transientTasks.length
  const progress = total === 0 ? 100 : Math.round(100 * (1 - remaining / total))
  const processingStatus: ProcessingStatus = progress < 100 ? 'processing' : anyError ? 'blocked' : 'completed'
  return { ready, blocked, progress, processingStatus }
}
