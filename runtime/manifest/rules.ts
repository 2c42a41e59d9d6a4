// The checks a schema cannot express: unique names, statuses and tasks that prerequisites name,
// system tasks kept apart, no cycles. They read the data defensively, because they also run on
// manifests the schema has already rejected, so that every problem is reported at once.
import { BUILTIN_STATUSES, STATUS_TYPES } from '../types.ts'
import type { Status, StatusType, TaskKind } from '../types.ts'
import { STATUS_DEFAULTS, isRecord } from './schema.ts'
import { slugify } from './slug.ts'
import type { Problem, Source } from './source.ts'
import { closest } from './suggest.ts'

/** A task that has a usable name; the rest of its fields are as written. */
export interface TaskEntry {
  readonly index: number
  readonly name: string
  readonly slug: string
  readonly kind: TaskKind
  readonly raw: Readonly<Record<string, unknown>>
  /** as written, minus the implied own `not processed` guard */
  readonly prerequisites: Readonly<Record<string, string>>
}

export interface RuleResult {
  readonly problems: Problem[]
  readonly statuses: Status[]
  readonly tasks: TaskEntry[]
}

const BUILTIN_TYPES: Readonly<Record<string, StatusType>> = {
  [BUILTIN_STATUSES.notProcessed]: 'blank',
  [BUILTIN_STATUSES.processing]: 'warning',
  [BUILTIN_STATUSES.processed]: 'success',
  [BUILTIN_STATUSES.failed]: 'error',
  [BUILTIN_STATUSES.timeLimitExceeded]: 'error'
}

const BUILTIN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [BUILTIN_STATUSES.notProcessed]: 'The task has not run on this transient yet.',
  [BUILTIN_STATUSES.processing]: 'The task is running on this transient.',
  [BUILTIN_STATUSES.processed]: 'The task finished successfully.',
  [BUILTIN_STATUSES.failed]: 'The task threw an error.',
  [BUILTIN_STATUSES.timeLimitExceeded]: 'The task ran past its timeout_seconds and was aborted.'
}

// Long lists of names help nobody; past this many a count is printed instead.
const MAX_LISTED = 12

export function checkRules(source: Source): RuleResult {
  const problems: Problem[] = []
  const root = isRecord(source.data) ? source.data : {}
  const statuses = checkStatuses(source, root.statuses, problems)
  const known = new Set(statuses.map((s) => s.message))
  const tasks = collectTasks(source, root.tasks, problems)
  const byName = new Map(tasks.map((t) => [t.name, t]))

  const declaredStatuses = `declared: ${[...known].join(', ')}`
  for (const task of tasks) {
    const at = ['tasks', task.index] as const
    const failed = task.raw.failed_status
    if (typeof failed === 'string' && !known.has(failed)) {
      problems.push({
        at: source.valueAt([...at, 'failed_status']),
        severity: 'error',
        code: 'BLAST_UNKNOWN_STATUS',
        message: `failed_status ${JSON.stringify(failed)} is not declared; ${declaredStatuses}`
      })
    }
    const written = task.raw.prerequisites
    if (!isRecord(written)) continue
    if (task.kind === 'system') {
      if (Object.keys(written).length > 0) {
        problems.push({
          at: source.keyAt([...at, 'prerequisites']),
          severity: 'error',
          code: 'BLAST_SYSTEM_PREREQUISITES',
          message: `system task ${JSON.stringify(task.name)} has prerequisites; system tasks run on their schedule only (remove prerequisites, or make it kind: transient)`
        })
      }
      continue
    }
    for (const [name, status] of Object.entries(written)) {
      const keyAt = source.keyAt([...at, 'prerequisites', name])
      if (typeof status === 'string' && !known.has(status)) {
        problems.push({
          at: source.valueAt([...at, 'prerequisites', name]),
          severity: 'error',
          code: 'BLAST_UNKNOWN_STATUS',
          message: `prerequisite status ${JSON.stringify(status)} is not declared; ${declaredStatuses}`
        })
      }
      if (name === task.name) {
        if (typeof status === 'string' && known.has(status) && status !== BUILTIN_STATUSES.notProcessed) {
          problems.push({
            at: keyAt,
            severity: 'error',
            code: 'BLAST_SELF_PREREQUISITE',
            message: `task ${JSON.stringify(task.name)} requires itself to be ${JSON.stringify(status)}; a task may name itself only with "not processed", its implied guard`
          })
        }
        continue
      }
      const other = byName.get(name)
      if (!other) {
        const guess = closest(name, byName.keys())
        const names = [...byName.keys()]
        const hint =
          guess !== undefined
            ? `did you mean ${JSON.stringify(guess)}?`
            : names.length <= MAX_LISTED
              ? `declared: ${names.join(', ')}`
              : `${names.length} tasks are declared`
        problems.push({
          at: keyAt,
          severity: 'error',
          code: 'BLAST_UNKNOWN_TASK',
          message: `prerequisite task ${JSON.stringify(name)} is not declared; ${hint}`
        })
      } else if (other.kind === 'system') {
        problems.push({
          at: keyAt,
          severity: 'error',
          code: 'BLAST_SYSTEM_DEPENDENCY',
          message: `task ${JSON.stringify(task.name)} requires system task ${JSON.stringify(name)}; system tasks have no status per transient, so only transient tasks can be prerequisites`
        })
      }
    }
  }
  problems.push(...checkCycles(source, tasks, byName))
  return { problems, statuses, tasks }
}

function checkStatuses(source: Source, written: unknown, problems: Problem[]): Status[] {
  const statuses = new Map<string, { status: Status; index: number }>()
  for (const [message, type] of Object.entries(BUILTIN_TYPES)) {
    statuses.set(message, {
      status: { message, type, description: BUILTIN_DESCRIPTIONS[message] ?? '', builtin: true },
      index: -1
    })
  }
  if (!Array.isArray(written)) return [...statuses.values()].map((s) => s.status)
  written.forEach((item: unknown, index) => {
    if (!isRecord(item) || typeof item.message !== 'string') return
    const message = item.message
    // an invalid type is the schema's to report; the status still counts as declared so that
    // every prerequisite naming it is not reported a second time
    const type: StatusType = STATUS_TYPES.includes(item.type as StatusType) ? (item.type as StatusType) : 'error'
    const description = typeof item.description === 'string' ? item.description : STATUS_DEFAULTS.description
    const earlier = statuses.get(message)
    if (earlier?.status.builtin) {
      if (STATUS_TYPES.includes(item.type as StatusType) && type !== earlier.status.type) {
        problems.push({
          at: source.valueAt(['statuses', index, 'type']),
          severity: 'error',
          code: 'BLAST_DUPLICATE_STATUS',
          message: `built-in status ${JSON.stringify(message)} has type ${earlier.status.type}; it can be declared again only with that type, not ${type}`
        })
      } else if (description !== '') {
        // redeclaring a built-in is how a manifest documents it in its own words
        statuses.set(message, { status: { ...earlier.status, description }, index })
      }
      return
    }
    if (earlier) {
      problems.push({
        at: source.valueAt(['statuses', index, 'message']),
        severity: 'error',
        code: 'BLAST_DUPLICATE_STATUS',
        message: `status ${JSON.stringify(message)} is already declared at line ${source.lineOf(['statuses', earlier.index, 'message'])}`
      })
      return
    }
    statuses.set(message, { status: { message, type, description, builtin: false }, index })
  })
  return [...statuses.values()].map((s) => s.status)
}

function collectTasks(source: Source, written: unknown, problems: Problem[]): TaskEntry[] {
  const tasks: TaskEntry[] = []
  if (!Array.isArray(written)) return tasks
  const bySlug = new Map<string, TaskEntry>()
  written.forEach((item: unknown, index) => {
    if (!isRecord(item) || typeof item.name !== 'string') return
    const name = item.name
    const slug = slugify(name)
    const kind: TaskKind = item.kind === 'system' ? 'system' : 'transient'
    // fromEntries, not assignment: a task may be called `__proto__`
    const prerequisites: Record<string, string> = Object.fromEntries(
      Object.entries(isRecord(item.prerequisites) ? item.prerequisites : {}).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' && !(entry[0] === name && entry[1] === BUILTIN_STATUSES.notProcessed)
      )
    )
    const entry: TaskEntry = { index, name, slug, kind, raw: item, prerequisites }
    // a name without letters or digits has no slug; the schema reports it
    const earlier = slug === '' ? undefined : bySlug.get(slug)
    if (earlier) {
      const line = source.lineOf(['tasks', earlier.index, 'name'])
      problems.push({
        at: source.valueAt(['tasks', index, 'name']),
        severity: 'error',
        code: 'BLAST_DUPLICATE_TASK',
        message:
          earlier.name === name
            ? `task ${JSON.stringify(name)} is already declared at line ${line}; task names are unique`
            : `task ${JSON.stringify(name)} has the slug "${slug}" of task ${JSON.stringify(earlier.name)} (line ${line}); names must differ in more than case, spaces and punctuation`
      })
      return
    }
    if (slug !== '') bySlug.set(slug, entry)
    tasks.push(entry)
  })
  return tasks
}

/** Each cycle once, as a path from its first-declared task: `A -> B -> A`. */
function checkCycles(source: Source, tasks: readonly TaskEntry[], byName: ReadonlyMap<string, TaskEntry>): Problem[] {
  const problems: Problem[] = []
  const requires = new Map<TaskEntry, TaskEntry[]>()
  for (const task of tasks) {
    if (task.kind === 'system') continue
    const next: TaskEntry[] = []
    for (const name of Object.keys(task.prerequisites)) {
      const other = byName.get(name)
      if (other && other !== task && other.kind === 'transient') next.push(other)
    }
    requires.set(task, next)
  }
  // iterative depth-first search: a 10,000-task chain must not overflow the call stack
  const state = new Map<TaskEntry, 'open' | 'done'>()
  const reported = new Set<string>()
  for (const start of requires.keys()) {
    if (state.has(start)) continue
    const stack: Array<{ task: TaskEntry; next: number }> = [{ task: start, next: 0 }]
    state.set(start, 'open')
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const edges = requires.get(top.task) ?? []
      if (top.next >= edges.length) {
        state.set(top.task, 'done')
        stack.pop()
        continue
      }
      const to = edges[top.next++]!
      const seen = state.get(to)
      if (seen === undefined) {
        state.set(to, 'open')
        stack.push({ task: to, next: 0 })
      } else if (seen === 'open') {
        const from = stack.findIndex((frame) => frame.task === to)
        const cycle = stack.slice(from).map((frame) => frame.task)
        const first = cycle.reduce((a, b) => (b.index < a.index ? b : a))
        const at = cycle.indexOf(first)
        const path = [...cycle.slice(at), ...cycle.slice(0, at)]
        const key = path.map((t) => t.index).join(' ')
        if (reported.has(key)) continue
        reported.add(key)
        problems.push({
          at: source.keyAt(['tasks', path[0]!.index, 'prerequisites', path[1 % path.length]!.name]),
          severity: 'error',
          code: 'BLAST_CYCLE',
          message: `prerequisites form a cycle: ${[...path, path[0]!].map((t) => t.name).join(' -> ')} (each requires the next); a task cannot wait on itself`
        })
      }
    }
  }
  return problems
}
