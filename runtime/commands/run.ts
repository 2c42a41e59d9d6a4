// `blast-tasks run <task> --transient <name>`: a task author's loop. Runs one plugin once on one
// transient — the transient as a worker would see it — and prints what came back. Nothing is
// scheduled or queued, and nothing is written unless --commit, which records the result through the
// operations (Control.recordRun) like a worker's.
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { format, parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import type { Control, TransientDetail } from '../control.ts'
import { checkResult, errorText, transientView, type TransientRow } from '../plugin-io.ts'
import { displayPath } from '../manifest/diagnostics.ts'
import { formatDiagnostic, loadManifest } from '../manifest/index.ts'
import { closest } from '../manifest/suggest.ts'
import { compile, type Plan } from '../plan.ts'
import { PluginLoadError, loadPlugin } from '../plugin-loader.ts'
import { loadSettings } from '../settings.ts'
import { transientProblems } from '../transient-rules.ts'
import { BUILTIN_STATUSES, type Task, type TaskLogger, type TaskResult } from '../types.ts'
import { callApi, connect, type Target } from './plan.ts'

export const usage = `usage: blast-tasks run <task> (--transient <name> | --input <file.json>) [--commit] [--json]

Runs the plugin of one task once on one transient and prints the status, the output, the
duration and, when it threw, the error with its stack. Nothing is scheduled or queued and no
status changes: edit the plugin and run again. The task is read from the manifest on disk, so a
task the runtime has not applied yet runs too.

The transient comes from the runtime's database, as a worker would see it (its other tasks'
statuses and outputs), or from a JSON file with --input:
  {"name": "2024abc", "ra_deg": 210.91, "dec_deg": 54.31, "redshift": 0.0008, "data": {},
   "tasks": {"Luminosity distance": {"status": "processed", "output": {"luminosity_distance_mpc": 3.4}}}}

options:
  --transient <name>  the transient, from the database (through the running runtime's API when
                      it holds the embedded database)
  --input <file>      the transient from a JSON file instead; no database needed
  --commit            record the result like a worker: status, output, duration, run history;
                      dependents it makes eligible run at their next sweep
  --manifest <path>   the manifest (default BLAST_MANIFEST or ./blast.tasks.yaml)
  --json              print the result as JSON
  -h, --help          this help

Exit code 0 when process() returned a declared status (an error-type one too), 1 when it threw,
timed out or returned something else, 2 for a usage error.`

interface Outcome {
  status: string
  output: unknown
  error: { message: string; stack: string | null } | null
  durationMs: number
  startedAt: Date
}

type Row = TransientRow & { attempts?: number }

class Refusal extends Error {}

export async function run (args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        transient: { type: 'string' },
        input: { type: 'string' },
        commit: { type: 'boolean', default: false },
        manifest: { type: 'string' },
        json: { type: 'boolean', default: false }
      }
    })
  } catch (error) {
    io.err(usageError('run', usage, error))
    return EXIT.usage
  }
  const { values, positionals } = parsed
  const problem = positionals.length !== 1
    ? `name one task; got ${positionals.length === 0 ? 'none' : positionals.map(p => JSON.stringify(p)).join(' ')} (quote a name with spaces)`
    : (values.transient === undefined) === (values.input === undefined)
        ? 'give --transient <name> or --input <file>, one of them'
        : values.commit && values.input !== undefined
          ? '--commit writes to the database; use it with --transient'
          : null
  if (problem) {
    io.err(usageError('run', usage, problem))
    return EXIT.usage
  }

  const settings = loadSettings()
  const file = values.manifest ?? settings.manifest
  const { manifest, diagnostics } = await loadManifest(file, { checkPlugins: false })
  if (!manifest) {
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    return EXIT.failed
  }
  const plan = compile(manifest)
  const planned = plan.tasks.get(positionals[0])
  if (!planned) {
    const guess = closest(positionals[0], [...plan.tasks.keys()])
    io.err(`blast-tasks run: task "${positionals[0]}" is not declared in ${displayPath(manifest.file)};` +
      `${guess ? ` did you mean "${guess}"?` : ''} declared: ${[...plan.tasks.keys()].join(', ')}`)
    return EXIT.usage
  }
  const task = planned.task
  if (task.kind === 'system') {
    io.err(`blast-tasks run: "${task.name}" is a system task and runs on no transient; the runtime runs it every ` +
      `${task.frequencySeconds} s, or now with POST /api/v1/tasks/${encodeURIComponent(task.name)}/run`)
    return EXIT.usage
  }

  let target: Target | null = null
  try {
    let row: Row
    if (values.input !== undefined) {
      row = await fromFile(values.input)
    } else {
      target = await connect(settings)
      if (values.commit && target.kind !== 'db') {
        throw new Refusal(target.kind === 'api'
          ? `${target.holder}\n--commit needs the database itself: stop the runtime, or run on PostgreSQL (DATABASE_URL)`
          : `there is no database yet (${target.where}); start the runtime first`)
      }
      row = await fromTarget(target, values.transient!, task.name)
    }
    // refuse a commit that cannot happen before the plugin runs, not after
    if (values.commit && target?.kind === 'db') await runsTask(target.control, task)
    const outcome = await runOnce(task, plan, row, io)
    let committed: { ready: string[] } | null = null
    if (values.commit && target?.kind === 'db') committed = await commit(target.control, task, row, outcome)
    report(io, values.json, task, row.name, plan, outcome, committed, values.commit)
    return outcome.error ? EXIT.failed : EXIT.ok
  } catch (error) {
    if (error instanceof PluginLoadError) {
      io.err(formatDiagnostic({
        file: displayPath(error.file), line: error.line ?? 1, column: error.column ?? 1, severity: 'error', code: error.code, message: error.message
      }))
    } else {
      io.err(`blast-tasks run: ${(error as Error).message}`)
    }
    return EXIT.failed
  } finally {
    if (target?.kind === 'db') await target.control.close()
  }
}

// ---- where the transient comes from ----

async function fromFile (file: string): Promise<Row> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new Refusal(`--input ${file}: ${(error as Error).message}`)
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Refusal(`--input ${file}: expected a JSON object with name, ra_deg and dec_deg`)
  const { tasks = {}, ...fields } = value as Record<string, unknown>
  const problems = transientProblems(fields)
  if (problems.length) throw new Refusal(`--input ${file}: ${problems.join('; ')} (plus "tasks": {task: status or {status, output}})`)
  if (!tasks || typeof tasks !== 'object' || Array.isArray(tasks)) throw new Refusal(`--input ${file}: "tasks" must be an object {task: status or {status, output}}`)
  const states: Row['tasks'] = {}
  for (const [name, state] of Object.entries(tasks)) {
    if (typeof state === 'string') states[name] = { status: state, output: null }
    else if (state && typeof state === 'object' && typeof (state as { status?: unknown }).status === 'string') {
      states[name] = { status: (state as { status: string }).status, output: (state as { output?: unknown }).output ?? null }
    } else throw new Refusal(`--input ${file}: tasks["${name}"] must be a status or {status, output}`)
  }
  const f = fields as { name: string; ra_deg: number; dec_deg: number; public_timestamp?: string | null; redshift?: number | null; data?: Record<string, unknown> }
  return {
    name: f.name, ra_deg: f.ra_deg, dec_deg: f.dec_deg, redshift: f.redshift ?? null, data: f.data ?? {},
    public_timestamp: f.public_timestamp ? new Date(f.public_timestamp) : null, tasks: states
  }
}

async function fromTarget (target: Target, name: string, task: string): Promise<Row> {
  if (target.kind === 'none') throw new Refusal(`there is no database yet (${target.where}); start the runtime first, or use --input`)
  let detail: TransientDetail
  if (target.kind === 'api') {
    const response = await callApi(target, `/api/v1/transients/${encodeURIComponent(name)}`)
    const body = await response.json() as TransientDetail & { message?: string }
    if (!response.ok) throw new Refusal(`${target.where} answered ${response.status}: ${body.message ?? ''}`)
    detail = body
  } else {
    detail = await target.control.getTransient(name).catch(error => {
      throw (error as { code?: string }).code === 'BLAST_TRANSIENT_NOT_FOUND' ? new Refusal(`transient "${name}" does not exist in ${target.where}`) : error
    })
  }
  return {
    name: detail.name, ra_deg: detail.ra_deg, dec_deg: detail.dec_deg, redshift: detail.redshift, data: { ...detail.data },
    public_timestamp: detail.public_timestamp ? new Date(detail.public_timestamp) : null,
    attempts: detail.tasks.find(r => r.task === task)?.attempts ?? 0,
    tasks: Object.fromEntries(detail.tasks.filter(r => r.task !== task).map(r => [r.task, { status: r.status, output: r.output }]))
  }
}

// ---- the run ----

/** runs the plugin under the task's timeout, like a worker (no retries: one run); never throws for the plugin's faults */
async function runOnce (task: Task, plan: Plan, row: Row, io: Io): Promise<Outcome> {
  const process = (await loadPlugin(task.plugin)).process as (...args: unknown[]) => TaskResult | Promise<TaskResult>
  const transient = transientView(row, task.name, plan.statusTypes)
  const startedAt = new Date()
  const started = performance.now()
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error(`exceeded timeout_seconds=${task.timeoutSeconds}`)), task.timeoutSeconds * 1000)
  const interrupt = () => controller.abort(new Error('interrupted (SIGINT)'))
  globalThis.process.once('SIGINT', interrupt)
  const end = (status: string, output: unknown, error: Outcome['error']): Outcome =>
    ({ status, output, error, durationMs: performance.now() - started, startedAt })
  try {
    const aborted = new Promise<never>((_resolve, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }))
    const ctx = { log: taskLogger(io), signal: controller.signal, task: task.name, attempt: (row.attempts ?? 0) + 1 }
    const result = Promise.resolve().then(() => process(transient, ctx))
    result.catch(() => {})
    const value = await Promise.race([result, aborted])
    const { status, output } = checkResult(value, false, plan.statusTypes)
    return end(status, output ?? null, null)
  } catch (error) {
    const status = controller.signal.aborted && error === controller.signal.reason && /^exceeded/.test((error as Error).message)
      ? BUILTIN_STATUSES.timeLimitExceeded
      : task.failedStatus
    return end(status, null, errorText(error))
  } finally {
    clearTimeout(timer)
    globalThis.process.off('SIGINT', interrupt)
  }
}

function taskLogger (io: Io): TaskLogger {
  const line = (level: string) => (msg: string, ...args: unknown[]) => io.err(`[${level}] ${format(msg, ...args)}`)
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}

// ---- --commit ----

/** the database must run the task for a commit: its register and statuses are the ones written */
async function runsTask (control: Control, task: Task): Promise<void> {
  await control.getTask(task.name).catch(error => {
    if ((error as { code?: string }).code !== 'BLAST_TASK_NOT_FOUND') throw error
    throw new Refusal(`--commit: the database does not run "${task.name}" yet; let the runtime apply the manifest first ` +
      '(it reloads a saved edit by itself), or run without --commit')
  })
}

/** records the outcome through the operations, like a worker's run; returns what became eligible */
async function commit (control: Control, task: Task, row: Row, outcome: Outcome): Promise<{ ready: string[] }> {
  const run = {
    status: outcome.status, output: outcome.output, error: outcome.error, started_at: outcome.startedAt.toISOString(),
    duration_ms: outcome.durationMs, worker: `cli:${hostname()}:${globalThis.process.pid}`, action: 'blast-tasks run --commit'
  }
  return control.recordRun(row.name, task.name, run, 'cli').catch(error => {
    throw (error as { code?: string }).code === 'BLAST_RUN_REFUSED' ? new Refusal(`not committed: ${(error as Error).message}`) : error
  })
}

// ---- the report ----

function report (io: Io, json: boolean, task: Task, transient: string, plan: Plan, outcome: Outcome,
  committed: { ready: string[] } | null, asked: boolean): void {
  const type = plan.statusTypes.get(outcome.status) ?? 'blank'
  if (json) {
    io.out(JSON.stringify({
      task: task.name, transient, status: outcome.status, type, output: outcome.output, duration_ms: outcome.durationMs,
      error: outcome.error?.message ?? null, stack: outcome.error?.stack ?? null,
      committed: committed !== null, now_eligible: committed?.ready ?? []
    }, null, 2))
    return
  }
  io.out(`${task.name} on ${transient}: ${outcome.status} (${type}) in ${outcome.durationMs.toFixed(1)} ms`)
  if (outcome.output !== null && outcome.output !== undefined) io.out(`output: ${JSON.stringify(outcome.output, null, 2)}`)
  if (outcome.error) {
    io.out(`error: ${outcome.error.message}`)
    if (outcome.error.stack) io.out(outcome.error.stack)
    if (task.retries > 0 && outcome.status === task.failedStatus) io.out(`(the runtime retries a throw ${task.retries} time(s) before writing "${task.failedStatus}")`)
  }
  if (committed) {
    io.out(`committed: "${task.name}" of ${transient} is now "${outcome.status}" (run history: cause cli)`)
    if (committed.ready.length) io.out(`now eligible: ${committed.ready.join(', ')} (queued at their next sweep)`)
  } else if (!asked) {
    io.out('nothing was written (--commit records the result)')
  }
}
