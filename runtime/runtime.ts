// The runtime's lifecycle: opens the database, applies the manifest's plan to the store and to
// pg-boss, runs the dispatcher and the scheduler, reloads, stops. The operator's Control calls are
// the operations (operations.ts), which it builds over its store, plan, queues and schedules.
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { PgBoss } from 'pg-boss'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { registerClusterMetrics } from './metrics.ts'
import { ProgressLog } from './progress-log.ts'
import type {
  Control, Explanation, ManifestInfo, ManifestPlanResult, Page, RecordedRun, ResetResult, Run, RunFilter, TaskInfo,
  TransientDetail, TransientFilter, TransientSummary
} from './control.ts'
import { openEmbedded, openPostgres, reachable, type Db } from './database.ts'
import { Dispatcher } from './dispatcher.ts'
import { errorText } from './plugin-io.ts'
import { BlastManifestInvalid } from './errors.ts'
import { createLogger, type Logger } from './logger.ts'
import { formatDiagnostic, loadManifest } from './manifest/index.ts'
import { migrate } from './migrator.ts'
import { Operations, type LifecycleState } from './operations.ts'
import { SWEEP_QUEUE, compile, type Plan } from './plan.ts'
import { Pruner, RETENTION_DEFAULTS, type RetentionPolicy } from './retention.ts'
import { Scheduler } from './scheduler.ts'
import { ClusterGuard, differences, fingerprint, type ClusterManifest } from './cluster.ts'
import { Store, actionRow } from './store.ts'
import { BUILTIN_STATUSES, type Diagnostic, type Status, type TransientInput, type TransientsAccess } from './types.ts'

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
  /** the transient tasks this process claims from the backlog (default: all); e.g. a machine of its own for heavy tasks */
  claimTasks?: readonly string[]
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
  #ops: Operations
  readonly pruner: Pruner
  #state: LifecycleState = 'starting'
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
    this.#ops = new Operations({
      store: this.store, plan: shared.plan, info: () => this.#info, state: () => this.#state, metrics: this.metrics,
      leaseSeconds: this.#options.leaseSeconds,
      enqueue: (ready, cause) => this.#dispatcher.enqueue(ready, cause),
      sweep: (task, cause) => this.#scheduler.sweep(task, cause)
    })
    this.#dispatcher = new Dispatcher({
      ...shared, batchSize: this.#options.batchSize, transients: this.#ops.transientsAccess(), ...(options.poolSize ? { poolSize: options.poolSize } : {}),
      ...(options.claimTasks ? { claimTasks: new Set(options.claimTasks) } : {})
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
    this.progress = new ProgressLog(() => this.#ops.listTasks(), log)
    registerClusterMetrics({ registry: this.metrics, db, sql: this.store.sql, plan: () => this.#plan })
    new Gauge({
      name: 'blast_queue_depth', help: 'Jobs waiting in each system task\'s pg-boss queue (a transient task\'s backlog is blast_backlog)', labelNames: ['task'], registers: [this.metrics],
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
    // pg-boss holds the system tasks' queues; a transient task's runs are claimed from its registers
    for (const planned of plan.tasks.values()) {
      if (planned.task.kind !== 'system') continue
      const options = {
        policy: 'stately',
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

  // ---- Control: the operations (operations.ts) on this runtime's plan, queues and schedules ----

  manifestInfo (): ManifestInfo { return this.#ops.manifestInfo() }
  statuses (): readonly Status[] { return this.#ops.statuses() }
  ready (): Promise<boolean> { return this.#ops.ready() }
  validateManifest (text: string): Promise<readonly Diagnostic[]> { return this.#ops.validateManifest(text) }
  planManifest (text: string): Promise<ManifestPlanResult> { return this.#ops.planManifest(text) }
  listTasks (): Promise<TaskInfo[]> { return this.#ops.listTasks() }
  getTask (name: string): Promise<TaskInfo> { return this.#ops.getTask(name) }
  setEnabled (task: string, enabled: boolean | null): Promise<TaskInfo> { return this.#ops.setEnabled(task, enabled) }
  runTask (task: string, transient?: string): Promise<{ queued: number }> { return this.#ops.runTask(task, transient) }
  listTransients (filter: TransientFilter): Promise<Page<TransientSummary>> { return this.#ops.listTransients(filter) }
  createTransients (inputs: readonly TransientInput[]): Promise<TransientSummary[]> { return this.#ops.createTransients(inputs) }
  upsertTransient (input: TransientInput): Promise<{ created: boolean; transient: TransientSummary }> { return this.#ops.upsertTransient(input) }
  upsertMany (inputs: readonly TransientInput[]): Promise<{ created: string[]; updated: string[] }> { return this.#ops.upsertMany(inputs) }
  getTransient (name: string): Promise<TransientDetail> { return this.#ops.getTransient(name) }
  deleteTransient (name: string): Promise<void> { return this.#ops.deleteTransient(name) }
  retrigger (name: string, by: string): Promise<ResetResult> { return this.#ops.retrigger(name, by) }
  reprocess (name: string, by: string): Promise<ResetResult> { return this.#ops.reprocess(name, by) }
  resetTask (name: string, task: string, options: { cascade: boolean }, by: string): Promise<ResetResult> { return this.#ops.resetTask(name, task, options, by) }
  explain (name: string, task: string): Promise<Explanation> { return this.#ops.explain(name, task) }
  recordRun (name: string, task: string, run: RecordedRun, by: string): Promise<{ ready: string[] }> { return this.#ops.recordRun(name, task, run, by) }
  listRuns (filter: RunFilter): Promise<Page<Run>> { return this.#ops.listRuns(filter) }
  getRun (id: string): Promise<Run> { return this.#ops.getRun(id) }
  /** what system tasks get as ctx.transients */
  transientsAccess (): TransientsAccess { return this.#ops.transientsAccess() }
}

/** pg-boss keeps whole seconds, and reads 0 as never */
function bossDeleteAfterSeconds (policy: RetentionPolicy): number {
  return Math.max(1, Math.round(policy.bossArchiveDays * 86400))
}
