// The operator's operations (the Control interface, control.ts) over the store: what the control
// API and the command line call. The lifecycle (runtime.ts) owns the database, pg-boss, the
// scheduler and the dispatcher and hands in what the operations need of them — the plan being run,
// how to queue ready registers and sweep a task; the command line builds them over a database it
// opened itself (open()), where nothing queues: what a write makes ready runs at its task's next sweep.
import { Registry } from 'prom-client'
import type {
  Control, Explanation, ManifestInfo, ManifestPlanResult, Page, RecordedRun, ResetResult, Run, RunCause, RunFilter, TaskInfo,
  TaskRegister, TransientDetail, TransientFilter, TransientSummary
} from './control.ts'
import { openEmbedded, openPostgres, type Db } from './database.ts'
import {
  BlastDuplicateTransient, BlastInvalidTransient, BlastNotReady, BlastNotTransientTask, BlastRunNotFound, BlastRunRefused,
  BlastUnknownTask, BlastUnknownTransient
} from './errors.ts'
import { createLogger } from './logger.ts'
import { validateManifestText } from './manifest/index.ts'
import { migrate } from './migrator.ts'
import { compile, evaluate, nextSweepAt, type Plan } from './plan.ts'
import type { ManifestChanges } from './planner.ts'
import { transientView } from './plugin-io.ts'
import { planAgainstDatabase, readAppliedPlan } from './stored-plan.ts'
import type { Settings } from './settings.ts'
import { Store, actionRow, decodeRunCursor, encodeRunCursor, type HistoryRow, type ReadyRef, type Register, type StatusWrite } from './store.ts'
import { EARLIEST, LATEST, transientProblems } from './transient-rules.ts'
import { BUILTIN_STATUSES, type Diagnostic, type Status, type Transient, type TransientInput, type TransientsAccess } from './types.ts'

export type LifecycleState = 'starting' | 'running' | 'stopping' | 'stopped'

/** the operations over a database a command opened: close() closes it */
export type OpenedOperations = Operations & { close (): Promise<void> }

export interface OperationsOptions {
  readonly store: Store
  /** the plan being run (a reload replaces it) */
  readonly plan: () => Plan
  readonly info: () => ManifestInfo
  /** 'running' answers ready(); 'stopped' (the database closed) answers every call with BlastNotReady */
  readonly state: () => LifecycleState
  readonly metrics: Registry
  /** a worker whose heartbeat is older holds no claim */
  readonly leaseSeconds: number
  /** queues registers that became ready (the dispatcher); absent, they run at their task's next sweep */
  readonly enqueue?: (ready: readonly ReadyRef[], cause: RunCause) => Promise<number>
  /** sweeps a task now (the scheduler); absent, a task's backlog waits for its next sweep */
  readonly sweep?: (task: string, cause: RunCause) => Promise<number>
}

export class Operations implements Control {
  readonly metrics: Registry
  readonly #o: OperationsOptions
  readonly #store: Store
  readonly #db: Db

  constructor (options: OperationsOptions) {
    this.#o = options
    this.#store = options.store
    this.#db = options.store.db
    this.metrics = options.metrics
  }

  /**
   * The operations over the database of a command (`blast-tasks run --commit`, `plan`): opened and
   * migrated, with the plan it last applied (none yet: no tasks). close() closes the database.
   */
  static async open (options: Pick<Settings, 'databaseUrl' | 'dataDir' | 'schema' | 'leaseSeconds'>): Promise<OpenedOperations> {
    const db = options.databaseUrl ? openPostgres(options.databaseUrl, createLogger('silent'), 2) : await openEmbedded(options.dataDir)
    try {
      await migrate(db, options.schema)
      const store = new Store(db, options.schema)
      const { plan: applied } = await readAppliedPlan(db, options.schema)
      const plan = applied ?? compile({ file: '', dir: '', version: 1, statuses: [], tasks: [] })
      const at = new Date().toISOString()
      const info: ManifestInfo = { manifest: plan.manifest, file: '', loadedAt: at, diagnostics: [], lastAttemptAt: at, lastAttemptOk: true }
      let state: LifecycleState = 'running'
      const operations = new Operations({ store, plan: () => plan, info: () => info, state: () => state, metrics: new Registry(), leaseSeconds: options.leaseSeconds })
      return Object.assign(operations, {
        async close () {
          state = 'stopped'
          await db.close()
        }
      })
    } catch (error) {
      await db.close().catch(() => {})
      throw error
    }
  }

  get #plan (): Plan { return this.#o.plan() }

  /** after stop() the database is closed: answer 503 rather than a driver error */
  #guard (): void {
    const state = this.#o.state()
    if (state === 'stopped') throw new BlastNotReady(state)
  }

  async #enqueue (ready: readonly ReadyRef[], cause: RunCause): Promise<number> {
    return this.#o.enqueue ? this.#o.enqueue(ready, cause) : 0
  }

  async #sweep (task: string, cause: RunCause): Promise<number> {
    return this.#o.sweep ? this.#o.sweep(task, cause) : 0
  }

  // ---- Control: manifest and tasks ----

  manifestInfo (): ManifestInfo { return this.#o.info() }

  statuses (): readonly Status[] { return this.#plan.manifest.statuses }

  async ready (): Promise<boolean> {
    if (this.#o.state() !== 'running') return false
    try {
      await this.#db.query('SELECT 1')
      return true
    } catch {
      return false
    }
  }

  async validateManifest (text: string): Promise<readonly Diagnostic[]> {
    const { manifest } = this.#plan
    return (await validateManifestText(text, { file: manifest.file, dir: manifest.dir })).diagnostics
  }

  /** what applying a manifest text would change against the database; nothing is applied */
  async planManifest (text: string): Promise<ManifestPlanResult> {
    const { manifest } = this.#plan
    const { manifest: candidate, diagnostics } = await validateManifestText(text, { file: manifest.file, dir: manifest.dir })
    if (!candidate) return { diagnostics, changes: null }
    return { diagnostics, changes: await this.planAgainst(compile(candidate)) }
  }

  /** what applying a plan would change against the database (`blast-tasks plan`); nothing is applied */
  planAgainst (candidate: Plan): Promise<ManifestChanges> {
    this.#guard()
    return planAgainstDatabase(this.#db, this.#store.schema, candidate)
  }

  #task (name: string) {
    const planned = this.#plan.tasks.get(name)
    if (!planned) throw new BlastUnknownTask(name, [...this.#plan.tasks.keys()].join(', '))
    return planned
  }

  async listTasks (): Promise<TaskInfo[]> {
    this.#guard()
    const [rows, counts] = await Promise.all([
      this.#db.query<TaskRow>(this.#store.sql.taskRows),
      this.#db.query<{ task: string; status: string; n: number }>(this.#store.sql.statusCounts)
    ])
    return [...this.#plan.tasks.keys()].map(name => this.#taskInfo(name, rows, counts))
  }

  async getTask (name: string): Promise<TaskInfo> {
    this.#guard()
    this.#task(name)
    const [rows, counts] = await Promise.all([
      this.#db.query<TaskRow>(this.#store.sql.taskRows),
      this.#db.query<{ task: string; status: string; n: number }>(this.#store.sql.statusCountsOf, [name])
    ])
    return this.#taskInfo(name, rows, counts)
  }

  #taskInfo (name: string, rows: TaskRow[], counts: Array<{ task: string; status: string; n: number }>): TaskInfo {
    const planned = this.#plan.tasks.get(name)!
    const row = rows.find(r => r.name === name)
    const override = row?.enabled_override ?? null
    const effective = override ?? planned.task.enabled
    const tally: Record<string, number> = {}
    for (const count of counts) if (count.task === name) tally[count.status] = count.n
    return {
      task: planned.task,
      queue: planned.queue,
      schedule: planned.schedule,
      enabled: { declared: planned.task.enabled, effective, override },
      lastSweepAt: row?.last_sweep_at?.toISOString() ?? null,
      nextSweepAt: effective ? nextSweepAt(planned.schedule.everySeconds).toISOString() : null,
      counts: tally
    }
  }

  async setEnabled (task: string, enabled: boolean | null): Promise<TaskInfo> {
    this.#guard()
    const planned = this.#task(task)
    await this.#db.query(this.#store.sql.setOverride, [task, enabled])
    // enabled now (an override, or cleared back to a declared `enabled: true`): run the backlog at once
    if (enabled ?? planned.task.enabled) await this.#sweep(task, 'api')
    return this.getTask(task)
  }

  async runTask (task: string, transient?: string): Promise<{ queued: number }> {
    this.#guard()
    const planned = this.#task(task)
    if (transient === undefined) return { queued: await this.#sweep(task, 'api') }
    if (planned.task.kind === 'system') throw new BlastNotTransientTask(task)
    await this.#transientId(transient)
    const rows = await this.#db.query<{ id: number; name: string; public_timestamp: Date | null }>(this.#store.sql.readyOne, [task, transient])
    return { queued: await this.#enqueue(rows.map(row => ({ ...row, task })), 'api') }
  }

  // ---- Control: transients ----

  async #transientId (name: string): Promise<number> {
    const [row] = await this.#db.query<{ id: number }>(this.#store.sql.transientIdsByName, [[name]])
    if (!row) throw new BlastUnknownTransient(name)
    return row.id
  }

  #check (inputs: readonly unknown[]): void {
    const problems = inputs.flatMap(transientProblems)
    if (problems.length) throw new BlastInvalidTransient(problems.join('; '))
    const seen = new Set<string>()
    for (const input of inputs as TransientInput[]) {
      if (seen.has(input.name)) throw new BlastInvalidTransient(`transient "${input.name}" appears twice in one request`)
      seen.add(input.name)
    }
  }

  async createTransients (inputs: readonly TransientInput[]): Promise<TransientSummary[]> {
    this.#guard()
    this.#check(inputs)
    const { created, existing, ready } = await this.#store.insertTransients(this.#plan, inputs, { rejectDuplicates: true })
      .catch(err => {
        if ((err as { code?: string }).code === '23505') throw new BlastDuplicateTransient(inputs.map(i => i.name).join(', '))
        throw err
      })
    if (existing.length) throw new BlastDuplicateTransient(existing.join(', '))
    await this.#enqueue(ready, 'push')
    return Promise.all(created.map(row => this.#summary(row.name)))
  }

  async upsertTransient (input: TransientInput): Promise<{ created: boolean; transient: TransientSummary }> {
    const { created } = await this.upsertMany([input])
    return { created: created.length > 0, transient: await this.#summary(input.name) }
  }

  /** ingest: new transients are created and queued at once; changed fields of existing ones are updated */
  async upsertMany (inputs: readonly TransientInput[]): Promise<{ created: string[]; updated: string[] }> {
    this.#guard()
    this.#check(inputs)
    const { created, existing, ready } = await this.#store.insertTransients(this.#plan, inputs, { rejectDuplicates: false })
    await this.#enqueue(ready, 'push')
    const known = new Set(existing)
    const updated = await this.#store.updateTransients(inputs.filter(input => known.has(input.name)))
    return { created: created.map(row => row.name), updated }
  }

  async #summary (name: string): Promise<TransientSummary> {
    const [row] = await this.#db.query<TransientRow>(this.#store.sql.transientByName, [name])
    if (!row) throw new BlastUnknownTransient(name)
    return summary(row)
  }

  async listTransients (filter: TransientFilter): Promise<Page<TransientSummary>> {
    this.#guard()
    if (filter.task !== undefined) this.#task(filter.task)
    const { rows, nextCursor } = await this.#store.transientPage<TransientRow>(this.#plan, filter, pageSize(filter.limit))
    return { items: rows.map(summary), nextCursor }
  }

  async getTransient (name: string): Promise<TransientDetail> {
    this.#guard()
    const [row] = await this.#db.query<TransientRow & { id: number }>(this.#store.sql.transientByName, [name])
    if (!row) throw new BlastUnknownTransient(name)
    const registers = await this.#db.query<RegisterRow>(this.#store.sql.registersOf, [row.id])
    const order = new Map([...this.#plan.transientTasks].map((planned, i) => [planned.name, i]))
    registers.sort((a, b) => (order.get(a.task) ?? 1e9) - (order.get(b.task) ?? 1e9) || a.task.localeCompare(b.task))
    return {
      ...summary(row),
      tasks: registers.map((r): TaskRegister => ({
        task: r.task,
        status: r.status,
        type: this.#plan.statusTypes.get(r.status) ?? 'blank',
        updated_at: r.updated_at.toISOString(),
        duration_ms: r.duration_ms,
        attempts: r.attempts,
        output: r.output ?? null,
        last_error: r.last_error,
        in_manifest: this.#plan.tasks.has(r.task)
      }))
    }
  }

  async deleteTransient (name: string): Promise<void> {
    this.#guard()
    const id = await this.#transientId(name)
    // its registers are locked first, in the order every writer uses: deleting a transient whose run
    // is being recorded waits for it instead of deadlocking with it
    const rows = await this.#db.transaction(async tx => {
      await tx.query(this.#store.sql.lockRegisters, [[id]])
      return tx.query(this.#store.sql.deleteTransient, [name])
    })
    if (!rows.length) throw new BlastUnknownTransient(name)
  }

  /** sets registers back to `not processed` (recorded in history), then queues what became ready */
  async #reset (name: string, by: string, action: string, pick: (register: Register, live: Set<string>) => boolean): Promise<ResetResult> {
    this.#guard()
    const id = await this.#transientId(name)
    const live = await this.#store.liveWorkers(this.#o.leaseSeconds)
    const reset: string[] = []
    const ready = await this.#store.transition(this.#plan, [id], registers => {
      const writes: StatusWrite[] = []
      const history: HistoryRow[] = []
      for (const register of registers) {
        if (!this.#plan.tasks.has(register.task) || !pick(register, live)) continue
        reset.push(register.task)
        writes.push({ id, task: register.task, status: BUILTIN_STATUSES.notProcessed, attempts: 0, lastError: null, cause: by === 'cli' ? 'cli' : 'api' })
        history.push(actionRow(register, {
          status: BUILTIN_STATUSES.notProcessed, error: null, worker: null, cause: by === 'cli' ? 'cli' : 'api',
          action: `${action} (was "${register.status}", by ${by})`, fromClaim: false
        }))
      }
      return { writes, history }
    })
    await this.#enqueue(ready, by === 'cli' ? 'cli' : 'api')
    const order = [...this.#plan.tasks.keys()]
    return { transient: name, reset: reset.sort((a, b) => order.indexOf(a) - order.indexOf(b)) }
  }

  retrigger (name: string, by: string): Promise<ResetResult> {
    return this.#reset(name, by, 'retrigger', (register, live) => register.status === BUILTIN_STATUSES.processing
      ? !(register.owner && live.has(register.owner))
      : this.#plan.statusTypes.get(register.status) === 'error')
  }

  reprocess (name: string, by: string): Promise<ResetResult> {
    return this.#reset(name, by, 'reprocess', register => register.status !== BUILTIN_STATUSES.notProcessed)
  }

  resetTask (name: string, task: string, options: { cascade: boolean }, by: string): Promise<ResetResult> {
    const planned = this.#task(task)
    if (planned.task.kind === 'system') throw new BlastNotTransientTask(task)
    const targets = new Set([task, ...(options.cascade ? planned.descendants : [])])
    return this.#reset(name, by, options.cascade ? `reset ${task} and downstream` : `reset ${task}`,
      register => targets.has(register.task) && register.status !== BUILTIN_STATUSES.notProcessed)
  }

  async explain (name: string, task: string): Promise<Explanation> {
    this.#guard()
    const planned = this.#task(task)
    if (planned.task.kind === 'system') throw new BlastNotTransientTask(task)
    const id = await this.#transientId(name)
    const [registers, info, live] = await Promise.all([
      this.#db.query<RegisterRow>(this.#store.sql.registersOf, [id]),
      this.getTask(task),
      this.#store.liveWorkers(this.#o.leaseSeconds)
    ])
    const status = new Map(registers.map(r => [r.task, r.status]))
    const own = registers.find(r => r.task === task)
    const current = own?.status ?? BUILTIN_STATUSES.notProcessed
    const evaluation = evaluate(this.#plan, t => status.get(t))
    const prerequisites = Object.entries(planned.task.prerequisites).map(([parent, required]) => ({
      task: parent, required, current: status.get(parent) ?? null, holds: status.get(parent) === required
    }))
    const inFlight = current === BUILTIN_STATUSES.processing && !!own?.owner && live.has(own.owner)
    const eligible = evaluation.ready.has(task)
    const unmet = prerequisites.filter(p => !p.holds).map(p => `${p.task} is "${p.current ?? 'absent'}" (needs "${p.required}")`)
    const summaryText = inFlight
      ? `running now (attempt ${own!.attempts})`
      : current === BUILTIN_STATUSES.processing
        ? 'marked processing but no live worker owns it: the reaper re-queues it within the lease'
        : current !== BUILTIN_STATUSES.notProcessed
          ? `finished with "${current}"; reset or retrigger it to run again`
          : !info.enabled.effective
              ? 'eligible when enabled: the task is disabled'
              : eligible
                ? `eligible: queued now or at the next sweep (${info.nextSweepAt})`
                : evaluation.blocked.has(task)
                  ? `blocked: ${unmet.join('; ')}`
                  : `waiting: ${unmet.join('; ')}`
    return {
      transient: name, task, status: current, eligible, enabled: info.enabled.effective, inFlight,
      attempts: own?.attempts ?? 0, prerequisites, nextSweepAt: info.nextSweepAt, summary: summaryText
    }
  }

  /** records one run's result as a worker would: the register, progress and readiness in one transition, and the run history */
  async recordRun (name: string, task: string, run: RecordedRun, by: string): Promise<{ ready: string[] }> {
    this.#guard()
    const planned = this.#task(task)
    if (planned.task.kind === 'system') throw new BlastNotTransientTask(task)
    if (!this.#plan.statusTypes.has(run.status)) {
      throw new BlastRunRefused(`status "${run.status}" is not declared in the manifest being run; apply a manifest that declares it first`)
    }
    const id = await this.#transientId(name)
    const cause = by === 'cli' ? 'cli' : 'api'
    let refusal: string | null = null
    const ready = await this.#store.transition(this.#plan, [id], registers => {
      const register = registers.find(r => r.task === task)
      if (!register) refusal = `transient "${name}" has no register for "${task}"`
      else if (register.status === BUILTIN_STATUSES.processing && register.owner) refusal = `a worker (${register.owner}) is running "${task}" on "${name}" now`
      if (!register || refusal) return { writes: [], history: [] }
      const attempt = register.attempts + 1
      const output = run.error ? null : run.output ?? null
      return {
        writes: [{
          id, task, status: run.status, durationMs: run.duration_ms, ...(run.error ? {} : { output: { value: output } }),
          lastError: run.error?.message ?? null, attempts: attempt
        }],
        history: [{
          transient: name, task, started_at: run.started_at, finished_at: new Date(Date.parse(run.started_at) + run.duration_ms).toISOString(),
          duration_ms: run.duration_ms, status: run.status, error: run.error?.message ?? null, stack: run.error?.stack ?? null,
          attempt, worker: run.worker, cause, action: run.action, output
        }]
      }
    })
    if (refusal) throw new BlastRunRefused(refusal)
    await this.#enqueue(ready, cause)
    return { ready: ready.map(ref => ref.task) }
  }

  // ---- Control: history ----

  async listRuns (filter: RunFilter): Promise<Page<Run>> {
    this.#guard()
    const limit = pageSize(filter.limit)
    const before = filter.cursor === undefined ? null : decodeRunCursor(filter.cursor)
    if ([filter.task, filter.transient, filter.status].some(text => text?.includes('\u0000'))) return { items: [], nextCursor: null }
    // a valid date-time PostgreSQL cannot take (year 0) is read as JavaScript reads it, within years 1..9999
    const at = filter.since === undefined ? NaN : Date.parse(filter.since)
    const since = Number.isNaN(at) ? null : new Date(Math.min(Math.max(at, EARLIEST), LATEST)).toISOString()
    const rows = await this.#db.query<RunRow>(this.#store.sql.runPage,
      [before, limit + 1, filter.task ?? null, filter.transient ?? null, filter.status ?? null, since])
    const items = rows.slice(0, limit).map(run)
    return { items, nextCursor: rows.length > limit ? encodeRunCursor(items[items.length - 1].id) : null }
  }

  async getRun (id: string): Promise<Run> {
    this.#guard()
    if (!/^\d{1,18}$/.test(id)) throw new BlastRunNotFound(id)
    const [row] = await this.#db.query<RunRow>(this.#store.sql.runById, [id])
    if (!row) throw new BlastRunNotFound(id)
    return run(row)
  }

  /** what system tasks get as ctx.transients */
  transientsAccess (): TransientsAccess {
    const view = async (rows: Array<TransientRow & { id: number }>): Promise<Transient[]> => {
      const states = await this.#db.query<{ id: number; task: string; status: string; output: unknown }>(this.#store.sql.tasksOfMany, [rows.map(r => r.id)])
      const tasks = new Map(rows.map(row => [row.id, {} as Record<string, { status: string; output: unknown }>]))
      for (const s of states) tasks.get(s.id)![s.task] = { status: s.status, output: s.output }
      return rows.map(row => transientView({ ...row, tasks: tasks.get(row.id)! }, null, this.#plan.statusTypes))
    }
    return {
      upsert: inputs => this.upsertMany(inputs),
      list: async (options = {}) => view(await this.#db.query(this.#store.sql.transientsAfter, [options.after ?? '', Math.min(options.limit ?? 1000, 10000)])),
      get: async name => (await view(await this.#db.query(this.#store.sql.transientByName, [name])))[0]
    }
  }
}

interface TaskRow { name: string; kind: string; in_manifest: boolean; declared_enabled: boolean; enabled_override: boolean | null; last_sweep_at: Date | null }
interface TransientRow {
  name: string; ra_deg: number; dec_deg: number; public_timestamp: Date | null; redshift: number | null; data: Record<string, unknown>
  progress: number; processing_status: TransientSummary['processing_status']; created_at: Date; updated_at: Date
}
interface RegisterRow { task: string; status: string; updated_at: Date; duration_ms: number | null; attempts: number; output: unknown; last_error: string | null; owner: string | null }
interface RunRow extends Omit<Run, 'started_at' | 'finished_at'> { started_at: Date; finished_at: Date | null }

/** 1..1000 whatever arrives (ajv coerces "1e309" to Infinity and lets it past `maximum`) */
function pageSize (limit: number | undefined): number {
  const n = limit ?? 100
  return Number.isNaN(n) ? 100 : Math.min(1000, Math.max(1, Math.trunc(n)))
}

function summary (row: TransientRow): TransientSummary {
  return {
    name: row.name,
    ra_deg: row.ra_deg,
    dec_deg: row.dec_deg,
    public_timestamp: row.public_timestamp?.toISOString() ?? null,
    redshift: row.redshift,
    data: row.data,
    progress: row.progress,
    processing_status: row.processing_status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString()
  }
}

function run (row: RunRow): Run {
  return { ...row, started_at: row.started_at.toISOString(), finished_at: row.finished_at?.toISOString() ?? null }
}
