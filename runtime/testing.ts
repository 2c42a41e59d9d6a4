// `blast-tasks/testing`: run one task's plugin on a transient described in the test, with its
// prerequisites' outputs, and get the result — no database, no queue, nothing written. The
// plugin is loaded and held to the contract the way the runtime loads it, the transient is the
// frozen view a worker passes, and the result is checked against the manifest's statuses.
import { format } from 'node:util'
import { checkResult, errorText, transientView } from './plugin-io.ts'
import { formatDiagnostics, loadManifest } from './manifest/index.ts'
import { compile, type Plan } from './plan.ts'
import { loadPlugin } from './plugin-loader.ts'
import { transientProblems } from './transient-rules.ts'
import { BUILTIN_STATUSES, type Manifest, type StatusType, type TaskLogger, type TaskResult } from './types.ts'

/** A transient as a test describes it: the columns, and optionally the state of other tasks. */
export interface TestTransient {
  name: string
  ra_deg: number
  dec_deg: number
  public_timestamp?: string | null
  redshift?: number | null
  data?: Record<string, unknown>
  /** other tasks' states by task name: a status, or { status, output } */
  tasks?: Record<string, string | { status: string; output?: unknown }>
}

export interface TaskRunResult {
  readonly task: string
  /** the status the runtime would write: what process() returned, else the task's failed status */
  readonly status: string
  readonly type: StatusType
  readonly output: unknown
  /** what process() threw (or why its result was refused), else null */
  readonly error: { message: string; stack: string | null } | null
  /** what the plugin logged through ctx.log, as "level message" lines */
  readonly logs: readonly string[]
}

export class TestingError extends Error {}

/**
 * Runs the plugin of `taskName` once on `transient`. `outputs` gives each prerequisite's output by
 * task name; its status is the one the task's prerequisites require (a state in `transient.tasks`
 * wins). Resolves with the status the runtime would write; rejects only for a problem of the
 * setup (manifest errors, unknown or system task, a transient the API would refuse).
 */
export async function runTask (manifest: string | Manifest, taskName: string, transient: TestTransient,
  outputs: Readonly<Record<string, unknown>> = {}, options: { timeoutSeconds?: number } = {}): Promise<TaskRunResult> {
  const plan = compile(await manifestOf(manifest))
  const planned = plan.tasks.get(taskName)
  if (!planned) throw new TestingError(`task "${taskName}" is not declared; declared: ${[...plan.tasks.keys()].join(', ')}`)
  const task = planned.task
  if (task.kind === 'system') throw new TestingError(`"${task.name}" is a system task; runTask runs transient tasks`)
  const { tasks: given = {}, ...fields } = transient
  const problems = transientProblems(fields)
  if (problems.length) throw new TestingError(`transient: ${problems.join('; ')}`)

  const tasks: Record<string, { status: string; output: unknown }> = {}
  for (const [name, output] of Object.entries(outputs)) {
    if (!plan.tasks.has(name)) throw new TestingError(`outputs: task "${name}" is not declared; declared: ${[...plan.tasks.keys()].join(', ')}`)
    tasks[name] = { status: task.prerequisites[name] ?? BUILTIN_STATUSES.processed, output }
  }
  for (const [name, state] of Object.entries(given)) {
    tasks[name] = typeof state === 'string' ? { status: state, output: null } : { status: state.status, output: state.output ?? null }
  }
  const view = transientView({
    name: fields.name, ra_deg: fields.ra_deg, dec_deg: fields.dec_deg, redshift: fields.redshift ?? null, data: fields.data ?? {},
    public_timestamp: fields.public_timestamp ? new Date(fields.public_timestamp) : null, tasks
  }, task.name, plan.statusTypes)

  const process = (await loadPlugin(task.plugin)).process as (...args: unknown[]) => TaskResult | Promise<TaskResult>
  const logs: string[] = []
  const line = (level: string) => (msg: string, ...args: unknown[]) => { logs.push(`${level} ${format(msg, ...args)}`) }
  const log: TaskLogger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
  const timeout = options.timeoutSeconds ?? task.timeoutSeconds
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error(`exceeded timeout_seconds=${timeout}`)), timeout * 1000)
  const result = (status: string, output: unknown, error: TaskRunResult['error']): TaskRunResult =>
    Object.freeze({ task: task.name, status, type: typeOf(plan, status), output, error, logs })
  try {
    const aborted = new Promise<never>((_resolve, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }))
    const running = Promise.resolve().then(() => process(view, { log, signal: controller.signal, task: task.name, attempt: 1 }))
    running.catch(() => {})
    const { status, output } = checkResult(await Promise.race([running, aborted]), false, plan.statusTypes)
    // the runtime stores JSON: what a test sees is what a dependent would read
    return result(status, output === undefined ? null : JSON.parse(JSON.stringify(output)) as unknown, null)
  } catch (error) {
    const timedOut = controller.signal.aborted && error === controller.signal.reason
    return result(timedOut ? BUILTIN_STATUSES.timeLimitExceeded : task.failedStatus, null, errorText(error))
  } finally {
    clearTimeout(timer)
  }
}

async function manifestOf (manifest: string | Manifest): Promise<Manifest> {
  if (typeof manifest !== 'string') return manifest
  const { manifest: loaded, diagnostics } = await loadManifest(manifest, { checkPlugins: false })
  if (!loaded) throw new TestingError(`${manifest} has errors:\n${formatDiagnostics(diagnostics)}`)
  return loaded
}

function typeOf (plan: Plan, status: string): StatusType {
  return plan.statusTypes.get(status) ?? 'blank'
}
