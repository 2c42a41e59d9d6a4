// The runtime: opens the database, applies the manifest's plan to the store and to pg-boss, runs
// the dispatcher and the timekeeper, and answers the operator's Control calls.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { PgBoss } from 'pg-boss'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { registerClusterMetrics } from './metrics.ts'
import { ProgressLog } from './progress-log.ts'
import type {
  Control, Explanation, ManifestInfo, ManifestPlanResult, Page, ResetResult, Run, RunFilter, TaskInfo, TaskRegister,
  TransientDetail, TransientFilter, TransientSummary
} from './control.ts'
import { openEmbedded, openPostgres, reachable, type Db } from './database.ts'
import { Dispatcher } from './dispatcher.ts'
import { errorText, transientView } from './plugin-io.ts'
import {
  BlastDuplicateTransient, BlastInvalidTransient, BlastManifestInvalid, BlastNotReady, BlastNotTransientTask, BlastRunNotFound,
  BlastUnknownTask, BlastUnknownTransient
} from './errors.ts'
import { createLogger, type Logger } from './logger.ts'
import { formatDiagnostic, loadManifest, validateManifestText } from './manifest/index.ts'
import { migrate } from './migrator.ts'
import { SWEEP_QUEUE, compile, evaluate, nextSweepAt, type Plan } from './plan.ts'
import { planAgainstDatabase } from './stored-plan.ts'
import { Pruner, RETENTION_DEFAULTS, type RetentionPolicy } from './retention.ts'
import { Scheduler } from './scheduler.ts'
import { ClusterGuard, differences, fingerprint, type ClusterManifest } from './cluster.ts'
import { Store, actionRow, decodeRunCursor, encodeRunCursor, type HistoryRow, type Register, type StatusWrite } from './store.ts'
import { EARLIEST, LATEST, transientProblems } from './transient-rules.ts'
import { BUILTIN_STATUSES, type Diagnostic, type Status, type Transient, type TransientInput, type TransientsAccess } from './types.ts'

export interface RuntimeOptions {
  manifest: string
  /** PostgreSQL; absent → embedded PGlite in dataDir (null dataDir → in memory) */
  databaseUrl?: string | null
  dataDir?: string | null
  schema?: string
  bossSchema?: string
  logger?: Logger
  /** run tasks in this process (false: API and operations only) */
  workers?: boolean
  leaseSeconds?: number
  shutdownGraceSeconds?: number
  batchSize?: number
  /** worker threads for runs that hold their loop (default: available parallelism) */
  poolSize?: number
  /** run history and pg-boss job retention (runtime/retention.ts) */
  retention?: Partial<RetentionPolicy>
  /** start even though live processes run another manifest: this one becomes the cluster's (runtime/cluster.ts) */
  takeOver?: boolean
  /** another process made its manifest the cluster's and this one's file differs; default: stop */
  onSuperseded?: (message: string) => void
}

const HEADS = { manifestHash: 'graph_hash' }

export class Runtime implements Control {
  readonly metrics = new Registry()
  /** the periodic per-task progress line (info) */
  readonly progress: ProgressLog
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  readonly log: Logger
  readonly db: Db
  readonly store: Store
  readonly boss: PgBoss
  #options: Required<Pick<RuntimeOptions, 'leaseSeconds' | 'shutdownGraceSeconds' | 'batchSize' | 'workers'>>
  #plan: Plan
  #info: ManifestInfo
  #dispatcher: Dispatcher
  #scheduler: Scheduler
  readonly pruner: Pruner
  #state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting'
  #refreshing: Promise<void> = Promise.resolve()
  #reloading: Promise<unknown> = Promise.resolve()
  #cluster: ClusterGuard
  #takeOver: boolean
  #onSuperseded: ((message: string) => void) | undefined

  private constructor (db: Db, plan: Plan, diagnostics: readonly Diagnostic[], options: RuntimeOptions, log: Logger) {
    this.db = db
    this.log = log
    this.#plan = plan
    this.#options = {
      leaseSeconds: options.leaseSeconds ?? 15,
      shutdownGraceSeconds: options.shutdownGraceSeconds ?? 10,
      batchSize: options.batchSize ?? 100,
      workers: options.workers ?? true
    }
    const now = new Date().toISOString()
    this.#info = { manifest: plan.manifest, file: plan.manifest.file, loadedAt: now, diagnostics, lastAttemptAt: now, lastAttemptOk: true }
    this.store = new Store(db, options.schema ?? 'blast')
    const retention: RetentionPolicy = { ...RETENTION_DEFAULTS, ...options.retention }
    this.boss = new PgBoss({
      ...db.bossOptions(),
      schema: options.bossSchema ?? 'blast_boss',
      useListenNotify: true,
      cronMonitorIntervalSeconds: 1,
      cronWorkerIntervalSeconds: 1,
      superviseIntervalSeconds: 30,
      // pg-boss deletes completed jobs in its maintenance (once a day by default): often enough to hold BLAST_BOSS_ARCHIVE_DAYS
      maintenanceIntervalSeconds: Math.min(3600, Math.max(10, Math.round(bossDeleteAfterSeconds(retention) / 4))),
      schedule: this.#options.workers,
      supervise: this.#options.workers
    })
    this.boss.on('error', err => log.warn({ err: errorText(err).message }, 'pg-boss error'))
    const shared = { boss: this.boss, store: this.store, log, workerId: this.workerId, metrics: this.metrics, plan: () => this.#plan }
    this.#dispatcher = new Dispatcher({
      ...shared, batchSize: this.#options.batchSize, transients: this.transientsAccess(), ...(options.poolSize ? { poolSize: options.poolSize } : {})
    })
    this.#scheduler = new Scheduler({
      ...shared, dispatcher: this.#dispatcher, leaseSeconds: this.#options.leaseSeconds, exclusive: db.kind === 'embedded'
    })
    this.#cluster = new ClusterGuard({ store: this.store, workerId: this.workerId, leaseSeconds: this.#options.leaseSeconds, log })
    this.#takeOver = options.takeOver ?? false
    this.#onSuperseded = options.onSuperseded
    this.pruner = new Pruner({
      db, sql: this.store.sql, schema: this.store.schema, bossSchema: options.bossSchema ?? 'blast_boss', log, metrics: this.metrics, policy: retention,
      vacuum: db.kind === 'embedded'
    })
    collectDefaultMetrics({ register: this.metrics }) // heap, RSS, event loop lag, GC
    this.progress = new ProgressLog(() => this.listTasks(), log)
    registerClusterMetrics({ registry: this.metrics, db, sql: this.store.sql, plan: () => this.#plan })
    new Gauge({
      name: 'blast_queue_depth', help: 'Jobs waiting in each task queue', labelNames: ['task'], registers: [this.metrics],
      collect: async function (this: Gauge) {
        const queues = await shared.boss.getQueues().catch(() => [])
        const byQueue = new Map([...shared.plan().tasks.values()].map(planned => [planned.queue, planned.name]))
        for (const queue of queues) if (byQueue.has(queue.name)) this.set({ task: byQueue.get(queue.name)! }, queue.queuedCount)
      }
    })
  }

  static async start (options: RuntimeOptions): Promise<Runtime> {
    const log = options.logger ?? createLogger('info')
    const { manifest, diagnostics } = await loadManifest(options.manifest)
    if (!manifest) throw new BlastManifestInvalid(options.manifest, diagnostics.map(formatDiagnostic).join('\n'))
    for (const d of diagnostics) log.warn(formatDiagnostic(d))
    const db = options.databaseUrl ? openPostgres(options.databaseUrl, log) : await openEmbedded(options.dataDir ?? null)
    try {
      if (options.databaseUrl) await reachable(db, options.databaseUrl)
      const runtime = new Runtime(db, compile(manifest), diagnostics, options, log)
      await runtime.#start()
      return runtime
    } catch (err) {
      await db.close().catch(() => {})
      throw err
    }
  }

  async #start (): Promise<void> {
    const applied = await migrate(this.db, this.store.schema)
    if (applied.length) this.log.info({ applied }, 'applied migrations')
    // one database, one manifest: refused before anything of this manifest is applied
    if (this.db.kind === 'postgres') await this.#cluster.check(this.#plan, this.#takeOver)
    await this.boss.start()
    if (this.#options.workers) {
      await this.#scheduler.start()
      this.#dispatcher.start()
      await this.#dispatcher.loadPlugins(this.#plan)
    }
    await this.apply(this.#plan)
    this.#state = 'running'
    if (this.#options.workers) await this.#scheduler.reap()
    if (this.#options.workers) this.pruner.start()
    this.progress.start()
    if (this.db.kind === 'postgres') this.#cluster.watch((mine, theirs) => this.#superseded(mine, theirs))
  }

  /** another process made its manifest the cluster's: apply it when this process's file now holds it, else stop */
  async #superseded (mine: ClusterManifest, theirs: ClusterManifest): Promise<void> {
    if (this.#state !== 'running') return
    const { manifest } = await loadManifest(this.#info.file)
    if (manifest && fingerprint(compile(manifest), this.workerId).hash === theirs.hash) {
      this.log.info({ by: theirs.worker }, 'the cluster\'s manifest changed and this process\'s file holds it: applying it')
      await this.reload()
      return
    }
    const message = `the cluster now runs another manifest (made the cluster's by worker ${theirs.worker} at ${theirs.at}); ` +
      `this process's manifest differs in ${differences(mine, theirs).join(', ')}; stopping: start it again with the cluster's manifest`
    this.log.error({ by: theirs.worker }, message)
    this.#cluster.stop()
    if (this.#onSuperseded) this.#onSuperseded(message)
    else await this.stop()
  }

  /** makes the store, the queues, the workers and the schedules match a plan */
  async apply (plan: Plan): Promise<void> {
    this.#plan = plan
    const { added, removed } = await this.store.recordManifest(plan)
    await this.#cluster.record(plan)
    if (added.length) this.log.info({ tasks: added }, 'new tasks: every transient got a `not processed` register')
    if (removed.length) this.log.warn({ tasks: removed }, 'tasks no longer in the manifest stop running; their registers are kept')
    const existing = new Set((await this.boss.getQueues()).map(queue => queue.name))
    for (const planned of plan.tasks.values()) {
      const options = {
        policy: planned.task.kind === 'system' ? 'stately' : 'short',
        notify: true,
        expireInSeconds: planned.task.timeoutSeconds + 60,
        retryLimit: 5,
        retryDelay: 1,
        deleteAfterSeconds: bossDeleteAfterSeconds(this.pruner.policy)
      } as const
      if (existing.has(planned.queue)) {
        await this.boss.updateQueue(planned.queue, { expireInSeconds: options.expireInSeconds, deleteAfterSeconds: options.deleteAfterSeconds })
      } else await this.boss.createQueue(planned.queue, options)
    }
    if (existing.has(SWEEP_QUEUE)) await this.boss.updateQueue(SWEEP_QUEUE, { deleteAfterSeconds: bossDeleteAfterSeconds(this.pruner.policy) })
    if (await this.store.getMeta(HEADS.manifestHash) !== plan.graphHash) {
      // the graph changed: readiness and progress of every transient are re-evaluated, in the background
      this.#refreshing = this.#refreshing.then(async () => {
        const count = await this.store.refreshAll(plan, ready => this.#dispatcher.enqueue(ready, 'sweep').then(() => {}))
        if (this.#plan === plan) await this.store.setMeta(HEADS.manifestHash, plan.graphHash)
        this.log.info({ transients: count }, 're-evaluated transients for the new task graph')
      }).catch(err => this.log.error({ err: errorText(err).message }, 're-evaluation failed; it runs again at next start'))
      if (this.#state === 'starting') await this.#refreshing
    }
    if (this.#options.workers) {
      await this.#dispatcher.subscribe(plan)
      await this.#scheduler.apply(plan)
    }
  }

  /** stops taking work, lets runs finish for the grace period, releases the rest; idempotent */
  async stop (): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return
    this.#state = 'stopping'
    this.#cluster.stop()
    try {
      this.progress.stop()
      await this.pruner.stop()
      await this.#scheduler.stop()
      await this.#dispatcher.stop(this.#options.shutdownGraceSeconds * 1000)
      await this.#refreshing
      await this.store.removeWorker(this.workerId).catch(() => {})
      await this.boss.stop({ graceful: false, close: true }).catch(() => {})
    } finally {
      await this.db.close().catch(() => {})
      this.#state = 'stopped'
    }
  }

  get plan (): Plan { return this.#plan }

  /** after stop() the database is closed: answer 503 rather than a driver error */
  #guard (): void {
    if (this.#state === 'stopped') throw new BlastNotReady(this.#state)
  }

  /**
   * Loads the manifest file again and applies it when valid; an invalid one leaves the last good
   * manifest running and its diagnostics in manifestInfo(). Reloads run one at a time.
   */
  reload (): Promise<{ ok: boolean; diagnostics: readonly Diagnostic[] }> {
    const next = this.#reloading.then(async () => {
      const at = new Date().toISOString()
      const { manifest, diagnostics } = await loadManifest(this.#info.file)
      if (!manifest) {
        this.#info = { ...this.#info, diagnostics, lastAttemptAt: at, lastAttemptOk: false }
        this.log.error({ diagnostics: diagnostics.map(formatDiagnostic) }, 'manifest edit rejected; the last good manifest keeps running')
        return { ok: false, diagnostics }
      }
      const plan = compile(manifest)
      if (this.#options.workers) await this.#dispatcher.loadPlugins(plan)
      await this.apply(plan)
      this.#info = { manifest, file: manifest.file, loadedAt: at, diagnostics, lastAttemptAt: at, lastAttemptOk: true }
      this.log.info({ tasks: manifest.tasks.length }, 'manifest reloaded')
      return { ok: true, diagnostics }
    })
    this.#reloading = next.catch(() => {})
    return next
  }

  /** releases this process's claims back to `not processed` at once (a second SIGTERM) */
  async releaseClaims (timeoutMs: number): Promise<number> {
    const work = (async () => {
      const ids = await this.store.claimsOf(this.workerId)
      let released = 0
      await this.store.transition(this.#plan, ids, registers => {
        const mine = registers.filter(r => r.status === BUILTIN_STATUSES.processing && r.owner === this.workerId)
        released = mine.length
        return {
          writes: mine.map(r => ({ id: r.id, task: r.task, status: BUILTIN_STATUSES.notProcessed, attempts: Math.max(0, r.attempts - 1), lastError: null })),
          history: mine.map(r => actionRow(r, {
            status: BUILTIN_STATUSES.notProcessed, error: 'released: the runtime was told to exit at once',
            worker: this.workerId, cause: 'recovery', action: 'released at exit', fromClaim: true
          }))
        }
      })
      await this.store.removeWorker(this.workerId)
      return released
    })()
    return Promise.race([work, new Promise<number>(resolve => setTimeout(() => resolve(0), timeoutMs).unref())])
  }

  // ---- Control: manifest and tasks ----

  manifestInfo (): ManifestInfo { return this.#info }

  statuses (): readonly Status[] { return this.#plan.manifest.statuses }

  async ready (): Promise<boolean> {
    if (this.#state !== 'running') return false
    try {
      await this.db.query('SELECT 1')
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
    return { diagnostics, changes: await planAgainstDatabase(this.db, this.store.schema, compile(candidate)) }
  }

  #task (name: string) {
    const planned = this.#plan.tasks.get(name)
    if (!planned) throw new BlastUnknownTask(name, [...this.#plan.tasks.keys()].join(', '))
    return planned
  }

  async listTasks (): Promise<TaskInfo[]> {
    this.#guard()
    const [rows, counts] = await Promise.all([
      this.db.query<TaskRow>(this.store.sql.taskRows),
      this.db.query<{ task: string; status: string; n: number }>(this.store.sql.statusCounts)
    ])
    return [...this.#plan.tasks.keys()].map(name => this.#taskInfo(name, rows, counts))
  }

  async getTask (name: string): Promise<TaskInfo> {
    this.#guard()
    this.#task(name)
    const [rows, counts] = await Promise.all([
      this.db.query<TaskRow>(this.store.sql.taskRows),
      this.db.query<{ task: string; status: string; n: number }>(this.store.sql.statusCountsOf, [name])
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
    await this.db.query(this.store.sql.setOverride, [task, enabled])
    // enabled now (an override, or cleared back to a declared `enabled: true`): run the backlog at once
    if (enabled ?? planned.task.enabled) await this.#scheduler.sweep(task, 'api')
    return this.getTask(task)
  }

  async runTask (task: string, transient?: string): Promise<{ queued: number }> {
    this.#guard()
    const planned = this.#task(task)
    if (transient === undefined) return { queued: await this.#scheduler.sweep(task, 'api') }
    if (planned.task.kind === 'system') throw new BlastNotTransientTask(task)
    await this.#transientId(transient)
    const rows = await this.db.query<{ id: number; name: string; public_timestamp: Date | null }>(this.store.sql.readyOne, [task, transient])
    return { queued: await this.#dispatcher.enqueue(rows.map(row => ({ ...row, task })), 'api') }
  }

  // ---- Control: transients ----

  async #transientId (name: string): Promise<number> {
    const [row] = await this.db.query<{ id: number }>(this.store.sql.transientIdsByName, [[name]])
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
    const { created, existing, ready } = await this.store.insertTransients(this.#plan, inputs, { rejectDuplicates: true })
      .catch(err => {
        if ((err as { code?: string }).code === '23505') throw new BlastDuplicateTransient(inputs.map(i => i.name).join(', '))
        throw err
      })
    if (existing.length) throw new BlastDuplicateTransient(existing.join(', '))
    await this.#dispatcher.enqueue(ready, 'push')
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
    const { created, existing, ready } = await this.store.insertTransients(this.#plan, inputs, { rejectDuplicates: false })
    await this.#dispatcher.enqueue(ready, 'push')
    const known = new Set(existing)
    const updated = await this.store.updateTransients(inputs.filter(input => known.has(input.name)))
    return { created: created.map(row => row.name), updated }
  }

  async #summary (name: string): Promise<TransientSummary> {
    const [row] = await this.db.query<TransientRow>(this.store.sql.transientByName, [name])
    if (!row) throw new BlastUnknownTransient(name)
    return summary(row)
  }

  async listTransients (filter: TransientFilter): Promise<Page<TransientSummary>> {
    this.#guard()
    if (filter.task !== undefined) this.#task(filter.task)
    const { rows, nextCursor } = await this.store.transientPage<TransientRow>(this.#plan, filter, pageSize(filter.limit))
    return { items: rows.map(summary), nextCursor }
  }

  async getTransient (name: string): Promise<TransientDetail> {
    this.#guard()
    const [row] = await this.db.query<TransientRow & { id: number }>(this.store.sql.transientByName, [name])
    if (!row) throw new BlastUnknownTransient(name)
    const registers = await this.db.query<RegisterRow>(this.store.sql.registersOf, [row.id])
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
    const rows = await this.db.transaction(async tx => {
      await tx.query(this.store.sql.lockRegisters, [[id]])
      return tx.query(this.store.sql.deleteTransient, [name])
    })
    if (!rows.length) throw new BlastUnknownTransient(name)
  }

  /** sets registers back to `not processed` (recorded in history), then queues what became ready */
  async #reset (name: string, by: string, action: string, pick: (register: Register, live: Set<string>) => boolean): Promise<ResetResult> {
    this.#guard()
    const id = await this.#transientId(name)
    const live = await this.store.liveWorkers(this.#options.leaseSeconds)
    const reset: string[] = []
    const ready = await this.store.transition(this.#plan, [id], registers => {
      const writes: StatusWrite[] = []
      const history: HistoryRow[] = []
      for (const register of registers) {
        if (!this.#plan.tasks.has(register.task) || !pick(register, live)) continue
        reset.push(register.task)
        writes.push({ id, task: register.task, status: BUILTIN_STATUSES.notProcessed, attempts: 0, lastError: null })
        history.push(actionRow(register, {
          status: BUILTIN_STATUSES.notProcessed, error: null, worker: null, cause: by === 'cli' ? 'cli' : 'api',
          action: `${action} (was "${register.status}", by ${by})`, fromClaim: false
        }))
      }
      return { writes, history }
    })
    await this.#dispatcher.enqueue(ready, by === 'cli' ? 'cli' : 'api')
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
      this.db.query<RegisterRow>(this.store.sql.registersOf, [id]),
      this.getTask(task),
      this.store.liveWorkers(this.#options.leaseSeconds)
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

  // ---- Control: history ----

  async listRuns (filter: RunFilter): Promise<Page<Run>> {
    this.#guard()
    const limit = pageSize(filter.limit)
    const before = filter.cursor === undefined ? null : decodeRunCursor(filter.cursor)
    if ([filter.task, filter.transient, filter.status].some(text => text?.includes('\u0000'))) return { items: [], nextCursor: null }
    // a valid date-time PostgreSQL cannot take (year 0) is read as JavaScript reads it, within years 1..9999
    const at = filter.since === undefined ? NaN : Date.parse(filter.since)
    const since = Number.isNaN(at) ? null : new Date(Math.min(Math.max(at, EARLIEST), LATEST)).toISOString()
    const rows = await this.db.query<RunRow>(this.store.sql.runPage,
      [before, limit + 1, filter.task ?? null, filter.transient ?? null, filter.status ?? null, since])
    const items = rows.slice(0, limit).map(run)
    return { items, nextCursor: rows.length > limit ? encodeRunCursor(items[items.length - 1].id) : null }
  }

  async getRun (id: string): Promise<Run> {
    this.#guard()
    if (!/^\d{1,18}$/.test(id)) throw new BlastRunNotFound(id)
    const [row] = await this.db.query<RunRow>(this.store.sql.runById, [id])
    if (!row) throw new BlastRunNotFound(id)
    return run(row)
  }

  /** what system tasks get as ctx.transients */
  transientsAccess (): TransientsAccess {
    const view = async (rows: Array<TransientRow & { id: number }>): Promise<Transient[]> => {
      const states = await this.db.query<{ id: number; task: string; status: string; output: unknown }>(this.store.sql.tasksOfMany, [rows.map(r => r.id)])
      const tasks = new Map(rows.map(row => [row.id, {} as Record<string, { status: string; output: unknown }>]))
      for (const s of states) tasks.get(s.id)![s.task] = { status: s.status, output: s.output }
      return rows.map(row => transientView({ ...row, tasks: tasks.get(row.id)! }, null, this.#plan.statusTypes))
    }
    return {
      upsert: inputs => this.upsertMany(inputs),
      list: async (options = {}) => view(await this.db.query(this.store.sql.transientsAfter, [options.after ?? '', Math.min(options.limit ?? 1000, 10000)])),
      get: async name => (await view(await this.db.query(this.store.sql.transientByName, [name])))[0]
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

/** pg-boss keeps whole seconds, and reads 0 as never */
function bossDeleteAfterSeconds (policy: RetentionPolicy): number {
  return Math.max(1, Math.round(policy.bossArchiveDays * 86400))
}

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
