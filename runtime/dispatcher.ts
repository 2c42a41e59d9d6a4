// The dispatcher. The registers are the queue: for each transient task a lane claims a batch of its
// oldest ready registers in one statement (FOR UPDATE SKIP LOCKED on the ready index), woken by
// NOTIFY when registers become ready (any process) and by this process's own writes, with a poll as
// the safety net. Each claimed transient's run goes to the run pool (runtime/pool.ts: a worker
// thread, under the task's time, memory, output and concurrency limits), and the results are
// group-committed through Store.transition — which also yields the dependents that became ready,
// claimed and run here at once when they are few (push). System tasks keep a pg-boss queue each: a
// job is a hint there, the claim on the task's system_run row decides.
import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import type { PgBoss, Job } from 'pg-boss'
import { Counter, Histogram, type Registry } from 'prom-client'
import type { Logger } from './logger.ts'
import type { PlannedTask, Plan } from './plan.ts'
import { groupInto, readyChannel, type ClaimLimits, type ClaimedRow, type HistoryRow, type ReadyRef, type RunResult, type Store } from './store.ts'
import type { RunCause } from './control.ts'
import { BUILTIN_STATUSES, type TaskResult, type Transient, type TransientsAccess } from './types.ts'
import { checkResult, errorText, transientView } from './plugin-io.ts'
import { RunPool } from './pool.ts'
import type { FaultText } from './run-result.ts'

export interface JobData { t: number; c: RunCause }

/** a run's end, before it is written */
export interface Outcome {
  status: string
  output?: { value: unknown }
  error: Error | null
  durationMs: number
  startedAt: Date
  /** released (at shutdown, or its shared worker was lost): back to `not processed` without counting the attempt */
  released?: 'released at shutdown' | 'released'
  /** failed with retries left: back to `not processed`, queued again after a delay */
  retry?: boolean
  /** the database refused its result: written as failed, without it */
  unwritable?: boolean
}

const LOST_LIMIT = 3
/** the history's error of a result that came back after its register was reset or recovered */
const DISCARDED = 'result discarded: the register was reset or recovered while the run was in flight'
/** a push runs here only while this process has fewer batches in flight than this… */
const LOCAL_BATCHES = 16
/** …and holds at most this many runs of one task: larger pushes are left to the lanes of every process */
const LOCAL_MAX = 10
/** a lane looks for ready registers this often when nothing woke it (NOTIFY lost, a row changed by hand) */
const POLL_MS = 5000
/** batches a lane has claimed and not yet written: the next claim overlaps the runs and the writes of the last */
const LANE_DEPTH = 3

/** what one process claims for one transient task; wake() ends its wait for work */
class Lane {
  readonly task: string
  stopped = false
  /** set by wake(): work may have arrived while a claim was in flight */
  woken = false
  /** its batches claimed and not yet written */
  readonly batches = new Set<Promise<void>>()
  /** how soon to look again for registers a claim found locked (doubles while they stay, to 1 s) */
  backoffMs = 5
  #resume: (() => void) | null = null

  constructor (task: string) { this.task = task }

  wake (): void {
    this.woken = true
    this.#resume?.()
  }

  stop (): void {
    this.stopped = true
    this.#resume?.()
  }

  /** until woken or stopped, `until` settles, or ms have passed */
  idle (ms: number, until?: Promise<unknown>): Promise<void> {
    if (this.woken || this.stopped) return Promise.resolve()
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer)
        if (this.#resume === done) this.#resume = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#resume = done
      void until?.then(done, done)
    })
  }
}

interface Pending {
  planned: PlannedTask
  row: ClaimedRow
  outcome: Outcome
  cause: RunCause
  done: (ok: boolean) => void
}

export interface DispatcherOptions {
  boss: PgBoss
  store: Store
  log: Logger
  workerId: string
  batchSize: number
  metrics: Registry
  plan: () => Plan
  transients: TransientsAccess
  /** worker threads for runs that hold their loop; see runtime/pool.ts */
  poolSize?: number
  /** the transient tasks with a lane here (default: all) */
  claimTasks?: ReadonlySet<string>
}

export class Dispatcher {
  #o: DispatcherOptions
  #pending: Pending[] = []
  #flushing: Promise<void> | null = null
  #shutdown = new AbortController()
  #inFlight = new Set<Promise<unknown>>()
  /** system tasks' pg-boss workers, by queue */
  #workers = new Map<string, string>()
  /** transient tasks' lanes, by task */
  #lanes = new Map<string, Lane>()
  #unlisten: (() => Promise<void>) | null = null
  #pool: RunPool
  #runs: Counter
  #durations: Histogram

  constructor (options: DispatcherOptions) {
    this.#o = options
    this.#pool = new RunPool({ size: options.poolSize ?? availableParallelism(), log: options.log })
    this.#runs = new Counter({
      name: 'blast_runs_total', help: 'Runs by task, resulting status, and its type (outcome: blank, success, warning, error)',
      labelNames: ['task', 'status', 'outcome'], registers: [options.metrics]
    })
    this.#durations = new Histogram({
      name: 'blast_run_duration_seconds', help: 'Wall time of runs by task', labelNames: ['task'], registers: [options.metrics],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60, 600, 3600]
    })
  }

  get inFlight (): number { return this.#inFlight.size }

  start (): void {}

  /** a lane per transient task and a pg-boss worker per system task; those of removed tasks stop */
  async subscribe (plan: Plan): Promise<void> {
    for (const [task, lane] of this.#lanes) {
      if (plan.tasks.get(task)?.task.kind !== 'transient') {
        lane.stop() // its runs in flight finish and are recorded as usual
        this.#lanes.delete(task)
      }
    }
    for (const planned of plan.transientTasks) {
      if (this.#lanes.has(planned.name) || this.#shutdown.signal.aborted) continue
      if (this.#o.claimTasks && !this.#o.claimTasks.has(planned.name)) continue
      const lane = new Lane(planned.name)
      void this.#laneLoop(lane)
      this.#lanes.set(planned.name, lane)
    }
    // every process is told, at commit, which tasks have registers that became ready
    this.#unlisten ??= this.#o.store.db.listen(readyChannel(this.#o.store.schema), task => this.#lanes.get(task)?.wake(),
      () => { for (const lane of this.#lanes.values()) lane.wake() })

    const wanted = new Map([...plan.tasks.values()].filter(planned => planned.task.kind === 'system').map(planned => [planned.queue, planned]))
    for (const [queue] of this.#workers) {
      if (!wanted.has(queue)) {
        // wait: false — its runs in flight finish and are recorded as usual; a reload does not wait for them
        await this.#o.boss.offWork(queue, { wait: false })
        this.#workers.delete(queue)
      }
    }
    for (const [queue, planned] of wanted) {
      if (this.#workers.has(queue)) continue
      this.#workers.set(queue, await this.#o.boss.work<JobData>(queue, { batchSize: 1, pollingIntervalSeconds: 2 }, jobs => this.#system(planned.name, jobs)))
    }
  }

  /** this process's lane of a task looks for ready registers now (after ms, when given) */
  wake (task: string, ms = 0): void {
    const lane = this.#lanes.get(task)
    if (!lane) return
    if (ms > 0) setTimeout(() => lane.wake(), ms).unref()
    else lane.wake()
  }

  /**
   * The next runs load the plan's plugins afresh (at start and after a valid edit). In a worker, a
   * file that no longer loads keeps its last good module: an edit the reload rejected must not reach a run.
   */
  async loadPlugins (plan: Plan): Promise<void> {
    const sources = new Map<string, string>()
    for (const planned of plan.tasks.values()) {
      try {
        sources.set(planned.task.plugin, await readFile(planned.task.plugin, 'utf8'))
      } catch { /* gone: the worker reports it from the disk */ }
    }
    this.#pool.reload(sources)
  }

  /**
   * Ready registers to run, and why. Ready registers need no queueing — the lanes claim them — so:
   * a push may run them here at once; an explicit run (api, cli) records its cause on them, and runs
   * those of a disabled task here, once; anything else wakes the lanes. Returns how many.
   */
  async enqueue (refs: readonly ReadyRef[], cause: RunCause): Promise<number> {
    if (!refs.length) return 0
    if (cause === 'push') {
      await this.#push([...refs])
      return refs.length
    }
    const byTask = new Map<string, ReadyRef[]>()
    for (const ref of refs) groupInto(byTask, ref.task, ref)
    const enabled = cause === 'api' || cause === 'cli' ? await this.#o.store.enabledTasks() : null
    for (const [task, list] of byTask) {
      if (enabled && !enabled.has(task)) this.#explicit(task, list.map(ref => ref.id), cause)
      else if (enabled) await this.#o.store.markCause(task, cause, list.map(ref => ref.id))
      this.wake(task)
    }
    return refs.length
  }

  /** an explicit run of a disabled task: its ready registers are claimed and run here, once */
  #explicit (task: string, ids: number[], cause: RunCause): void {
    const { store, workerId, log } = this.#o
    const work = store.claim(task, ids, workerId, ids)
      .then(rows => rows.length ? this.#runClaimed(task, rows, cause) : undefined)
      .catch(err => log.warn({ err: errorText(err).message, task }, 'could not run an explicit run here; run it again'))
    this.#track(work)
  }

  /** every ready register of a disabled task, run here once (an explicit run of the whole task) */
  async runDisabled (task: string, cause: RunCause): Promise<number> {
    let count = 0
    for (let after = null; ;) {
      const page = await this.#o.store.readyPage(task, after, this.#o.batchSize)
      if (!page.length) return count
      count += page.length
      this.#explicit(task, page.map(ref => ref.id), cause)
      if (page.length < this.#o.batchSize) return count
      after = page[page.length - 1]!
    }
  }

  /** stop taking work; wait up to graceMs for runs, then abort them and release their claims */
  async stop (graceMs: number): Promise<void> {
    const boss = this.#o.boss
    // wait: false — offWork would otherwise wait for the runs in flight, past the grace period
    await Promise.all([...this.#workers.keys()].map(queue => boss.offWork(queue, { wait: false }).catch(() => {})))
    this.#workers.clear()
    this.#shutdownLanes()
    await this.#unlisten?.()
    this.#unlisten = null
    const all = Promise.allSettled([...this.#inFlight])
    let timer: NodeJS.Timeout | undefined
    await Promise.race([all, new Promise(resolve => { timer = setTimeout(resolve, graceMs) })])
    clearTimeout(timer)
    this.#shutdown.abort(new Error('the runtime is shutting down'))
    this.#shutdownLanes()
    // the pool releases what is still running after the grace period; its runs then settle
    await this.#pool.stop(0)
    await all
    await this.#flush()
  }

  #shutdownLanes (): void {
    for (const lane of this.#lanes.values()) lane.stop()
    this.#lanes.clear()
  }

  #track (work: Promise<unknown>): void {
    this.#inFlight.add(work)
    void work.finally(() => this.#inFlight.delete(work))
  }

  // ---- transient tasks ----

  /** claims a batch, runs it, and again while there is work; idles until woken or the poll when there is none */
  async #laneLoop (lane: Lane): Promise<void> {
    const { store, workerId, batchSize, log } = this.#o
    let failing = false
    while (!lane.stopped && !this.#shutdown.signal.aborted) {
      lane.woken = false
      let rows: ClaimedRow[]
      try {
        rows = await store.claimReady(lane.task, workerId, batchSize)
        failing = false
      } catch (err) {
        // the database is away: the registers stay ready; look again later
        if (!failing) log.warn({ err: errorText(err).message, task: lane.task }, 'could not claim ready registers; trying again')
        failing = true
        await lane.idle(1000)
        lane.woken = true
        continue
      }
      // Fewer than asked: SKIP LOCKED may have passed over ready registers that a transition of their
      // transient held at that moment. No NOTIFY will announce them again (they were ready already),
      // so look again shortly while any remain.
      if (rows.length < batchSize && !lane.stopped && await store.readyWaiting(lane.task).catch(() => false)) {
        this.wake(lane.task, lane.backoffMs)
        lane.backoffMs = Math.min(lane.backoffMs * 2, 1000)
      } else lane.backoffMs = 5
      if (lane.stopped || this.#shutdown.signal.aborted) {
        // claimed as the lane stopped (the process is stopping, or the task left the manifest): back
        // to ready, the attempt not counted; tracked, so that a stop waits for it
        if (rows.length) {
          const work = this.#release(lane.task, rows)
          this.#track(work)
          await work
        }
        return
      }
      if (rows.length) {
        let ran!: () => void
        const runsEnded = new Promise<void>(resolve => { ran = resolve })
        const work = this.#runClaimed(lane.task, rows, undefined, ran)
          .catch(err => log.error({ err: errorText(err).message, task: lane.task }, 'a batch failed'))
          .finally(ran)
        this.#track(work)
        lane.batches.add(work)
        void work.finally(() => lane.batches.delete(work))
        // A full batch: there may be more. Claim again once its runs have ended, while its results are
        // being written (up to LANE_DEPTH batches not yet written): claims and writes overlap, and no
        // more is claimed than the pool is running. Otherwise wait for the batch or for new work.
        if (rows.length >= batchSize) await runsEnded
        else await lane.idle(POLL_MS, runsEnded)
        if (lane.batches.size >= LANE_DEPTH) await Promise.race(lane.batches)
        continue
      }
      await lane.idle(POLL_MS)
    }
  }

  /**
   * Runs claimed registers (claim order: oldest public_timestamp first, then name) and waits until
   * their results are written. `cause` overrides the one the claim returned (a push, an explicit run).
   */
  async #runClaimed (taskName: string, rows: ClaimedRow[], cause?: RunCause, ran?: () => void): Promise<void> {
    const plan = this.#o.plan()
    const planned = plan.tasks.get(taskName)
    if (!planned || this.#shutdown.signal.aborted) {
      // the task left the plan, or the process is stopping, between claim and run: release the claims
      ran?.()
      await this.#release(taskName, rows)
      return
    }
    if (planned.claimChangesDependents) {
      await this.#push(await this.#o.store.transition(plan, rows.map(row => row.id), () => ({ writes: [], history: [] })))
    }
    rows.sort((a, b) => (a.public_timestamp?.getTime() ?? Infinity) - (b.public_timestamp?.getTime() ?? Infinity) || (a.name < b.name ? -1 : 1))
    let left = rows.length
    await Promise.all(rows.map(async row => {
      const outcome = await this.#runTransient(planned, row)
      if (--left === 0) ran?.()
      return new Promise<boolean>(resolve => this.#complete({ planned, row, outcome, cause: cause ?? row.cause ?? 'sweep', done: resolve }))
    }))
  }

  /** claims that will not run here go back to `not processed`, their attempt not counted */
  async #release (taskName: string, rows: ClaimedRow[]): Promise<void> {
    const { store, workerId, log } = this.#o
    try {
      await store.transition(this.#o.plan(), rows.map(row => row.id), registers => ({
        writes: registers.filter(r => r.task === taskName && r.status === BUILTIN_STATUSES.processing && r.owner === workerId)
          .map(r => ({ id: r.id, task: taskName, status: BUILTIN_STATUSES.notProcessed, attempts: r.attempts - 1 })),
        history: []
      }))
      // the lanes of other processes are told by NOTIFY; this one's (if it still has one) here
      this.wake(taskName)
    } catch (err) {
      log.warn({ err: errorText(err).message, task: taskName }, 'could not release claims; the reaper will')
    }
  }

  async #runTransient (planned: PlannedTask, row: ClaimedRow): Promise<Outcome> {
    return this.#run(planned, row.attempts, transientView(row, planned.name, this.#o.plan().statusTypes))
  }

  /** runs a plugin in the pool, under its task's limits; never throws */
  async #run (planned: PlannedTask, attempt: number, transient: Transient | null): Promise<Outcome> {
    const task = planned.task
    const startedAt = new Date()
    const started = performance.now()
    const log = this.#o.log.child({ task: task.name, transient: transient?.name ?? null, attempt })
    const end = (status: string, error: Error | null, extra: Partial<Outcome> = {}): Outcome =>
      ({ status, error, durationMs: performance.now() - started, startedAt, ...extra })
    const outcome = await this.#pool.run({
      task: {
        name: task.name,
        plugin: task.plugin,
        system: task.kind === 'system',
        timeoutSeconds: task.timeoutSeconds,
        memoryMb: task.memoryMb,
        maxOutputBytes: task.maxOutputBytes,
        concurrency: task.concurrency
      },
      attempt,
      log,
      ...(transient ? { transient } : { transients: this.#o.transients })
    })
    if (outcome.kind === 'released' || (outcome.kind === 'error' && this.#shutdown.signal.aborted)) {
      return end(BUILTIN_STATUSES.notProcessed, asError(outcome.error), { released: this.#shutdown.signal.aborted ? 'released at shutdown' : 'released' })
    }
    if (outcome.kind === 'timeout') return end(BUILTIN_STATUSES.timeLimitExceeded, asError(outcome.error))
    let error: Error
    if (outcome.kind === 'error') error = asError(outcome.error)
    else {
      try {
        const { status, output } = this.#checkResult(outcome.json === undefined ? undefined : JSON.parse(outcome.json), task.kind === 'system')
        return end(status, null, output === undefined ? {} : { output: { value: output } })
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err))
      }
    }
    log.warn({ err: error.message }, 'run failed')
    if (attempt <= task.retries) return end(BUILTIN_STATUSES.notProcessed, error, { retry: true })
    return end(task.failedStatus, error)
  }

  #checkResult (value: TaskResult | void, system: boolean): { status: string; output?: unknown } {
    return checkResult(value, system, this.#o.plan().statusTypes)
  }

  // ---- group commit ----

  #complete (item: Pending): void {
    this.#pending.push(item)
    this.#flushing ??= this.#flushLoop()
  }

  async #flushLoop (): Promise<void> {
    try {
      // Wait one turn so that the runs of a batch ending together share one transaction; flushing
      // at the first completion committed it alone and the other 99 in a second transaction.
      await new Promise(resolve => setImmediate(resolve))
      while (this.#pending.length) await this.#flush()
    } finally {
      this.#flushing = null
    }
  }

  async #flush (batch = this.#pending.splice(0)): Promise<void> {
    if (!batch.length) return
    const { store, workerId, log } = this.#o
    const plan = this.#o.plan()
    let delay = 100
    for (;;) {
      try {
        const { ready, claimed } = await store.completeRuns(plan, batch.map(item => this.#result(item)), workerId, DISCARDED, this.#claimLimits())
        for (const item of batch) {
          this.#runs.inc({ task: item.planned.name, status: item.outcome.status, outcome: this.#outcome(item.outcome.status) })
          if (log.isLevelEnabled('debug')) {
            log.debug({ task: item.planned.name, transient: item.row.name, status: item.outcome.status, durationMs: Math.round(item.outcome.durationMs ?? 0), attempt: item.row.attempts }, 'run finished')
          }
          this.#durations.observe({ task: item.planned.name }, item.outcome.durationMs / 1000)
        }
        // dependents claimed here run now; the rest are the lanes' (every process was told at commit).
        // A retry is claimed once due (due_at): the lane here looks then; any process's poll would too.
        for (const [task, rows] of claimed) this.#track(this.#runClaimed(task, rows))
        for (const task of new Set(ready.map(ref => ref.task))) this.wake(task)
        for (const item of batch.filter(item => item.outcome.retry)) this.wake(item.planned.name, retryDelay(item.row.attempts) * 1000 + 50)
        for (const item of batch) item.done(true)
        return
      } catch (err) {
        if (refused(err)) return this.#isolate(batch, err)
        // The database is away (restart, network): keep the results and try again; the claims stay ours.
        if (this.#shutdown.signal.aborted && delay > 5000) {
          log.error({ err: errorText(err).message, worker: workerId }, 'could not record run results; the reaper will re-run them')
          for (const item of batch) item.done(false)
          return
        }
        log.warn({ err: errorText(err).message, retryInMs: delay }, 'could not record run results; retrying')
        await new Promise(resolve => setTimeout(resolve, delay))
        delay = Math.min(delay * 2, 5000)
      }
    }
  }

  /**
   * The database refused the batch for what one of its rows holds: write the halves apart until the
   * row is alone, then write that run as failed, without what the database refused. The rest of
   * the batch is written as usual.
   */
  async #isolate (batch: Pending[], err: unknown): Promise<void> {
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2)
      await this.#flush(batch.slice(0, half))
      await this.#flush(batch.slice(half))
      return
    }
    const [item] = batch as [Pending]
    if (item.outcome.unwritable) {
      this.#o.log.error({ err: errorText(err).message, task: item.planned.name, transient: item.row.name }, 'could not record a run even as failed; the reaper will re-run it')
      item.done(false)
      return
    }
    const message = `the run's result could not be written: ${errorText(err).message}`
    this.#o.log.warn({ task: item.planned.name, transient: item.row.name, err: message }, 'run failed')
    const { status: _status, output: _output, retry: _retry, released: _released, ...rest } = item.outcome
    await this.#flush([{ ...item, outcome: { ...rest, status: item.planned.task.failedStatus, error: new Error(message), unwritable: true } }])
  }

  #outcome (status: string): string {
    return this.#o.plan().statusTypes.get(status) ?? 'error'
  }

  /** a run's end as the store writes it: the register's new state (while it is still this claim) and the history row */
  #result ({ planned, row, outcome, cause }: Pending): RunResult {
    const error = outcome.error ? errorText(outcome.error) : null
    return {
      ...historyRow(row.name, planned.name, outcome, row.attempts, this.#o.workerId, cause, error),
      id: row.id,
      set_output: outcome.output !== undefined,
      attempts: outcome.released ? row.attempts - 1 : null,
      next_cause: outcome.retry ? 'retry' : null,
      due_seconds: outcome.retry ? retryDelay(row.attempts) : null
    }
  }

  /** which registers a result's write makes ready are claimed with it, to run here at once: few, and this process not busy */
  #claimLimits (): ClaimLimits {
    const tasks = this.#shutdown.signal.aborted ? [] : [...this.#lanes.keys()]
    return { tasks, maxPerTask: LOCAL_MAX, maxTasks: Math.max(0, LOCAL_BATCHES - this.#inFlight.size) }
  }

  /** of registers that became ready, those to claim and run here at once (by task): few, and this process not busy */
  #pickLocal (ready: ReadyRef[]): Map<string, number[]> {
    const byTask = new Map<string, number[]>()
    for (const ref of ready) groupInto(byTask, ref.task, ref.id)
    const picked = new Map<string, number[]>()
    for (const [task, ids] of byTask) {
      if (!this.#lanes.has(task) || this.#shutdown.signal.aborted || ids.length > LOCAL_MAX) continue
      if (this.#inFlight.size + picked.size >= LOCAL_BATCHES) break
      picked.set(task, ids)
    }
    return picked
  }

  /**
   * Registers made ready outside a result's transaction (a new transient's roots, a claim that changed
   * its dependents): those #pickLocal chooses are claimed and run here at once; for the rest this
   * process's lane is woken, and every other process's by the NOTIFY of the commit that made them
   * ready. Either way the claim decides, and a register not claimed stays ready.
   */
  async #push (ready: ReadyRef[]): Promise<void> {
    if (!ready.length) return
    const picked = this.#pickLocal(ready)
    for (const task of new Set(ready.map(ref => ref.task))) if (!picked.has(task)) this.wake(task)
    for (const [task, ids] of picked) {
      const work = this.#o.store.claim(task, ids, this.#o.workerId)
        .then(rows => rows.length ? this.#runClaimed(task, rows) : undefined)
        .catch(err => {
          this.#o.log.warn({ err: errorText(err).message, task }, 'could not run ready transients here; leaving them to the lanes')
          this.wake(task)
        })
      this.#track(work)
    }
  }

  // ---- system tasks ----

  // A job is a hint here too: the claim on the task's system_run row decides (one run at a time
  // across processes). The job completes at once, so that a process killed mid-run leaves no active
  // job behind to block the queue; its claim is the reaper's to take back.
  async #system (taskName: string, jobs: Job<JobData>[]): Promise<void> {
    const planned = this.#o.plan().tasks.get(taskName)
    if (!planned || this.#shutdown.signal.aborted) return
    const { store, workerId, log } = this.#o
    const attempt = await store.claimSystem(taskName, workerId)
    if (attempt === null) return // running elsewhere, or its retry is not due yet
    const cause: RunCause = attempt > 1 && jobs[0]?.data?.c !== 'recovery' ? 'retry' : jobs[0]?.data?.c ?? 'sweep'
    const work = (async () => {
      const outcome = await this.#run(planned, attempt, null)
      this.#runs.inc({ task: taskName, status: outcome.status, outcome: this.#outcome(outcome.status) })
      this.#o.log.debug({ task: taskName, status: outcome.status, durationMs: Math.round(outcome.durationMs ?? 0) }, 'run finished')
      this.#durations.observe({ task: taskName }, outcome.durationMs / 1000)
      const error = outcome.error ? errorText(outcome.error) : null
      const row = historyRow(null, taskName, outcome, attempt, workerId, cause, error)
      const retryIn = outcome.retry ? Math.min(60, 2 ** attempt) : null
      // the claim must end, or no process runs the task again while this one lives: retry the write
      for (let delay = 100; ; delay = Math.min(5000, delay * 2)) {
        try {
          const owned = await store.endSystem(taskName, workerId, retryIn, row)
          // the hint for the retry, once due (the claim refuses it earlier); should this process die
          // first, the reaper sends it (Scheduler.reap)
          if (owned && retryIn !== null) {
            setTimeout(() => void this.#o.boss.send(planned.queue, { c: 'retry' }).catch(() => null), retryIn * 1000 + 50).unref()
          }
          return
        } catch (err) {
          if (this.#shutdown.signal.aborted) {
            log.error({ err: errorText(err).message, task: taskName }, 'could not record a system run; the reaper will re-run it')
            return
          }
          log.warn({ err: errorText(err).message, task: taskName, retryInMs: delay }, 'could not record a system run; retrying')
          await new Promise(resolve => setTimeout(resolve, delay))
        }
      }
    })()
    this.#track(work)
  }
}

/** a retry's back-off: 2, 4, 8… seconds after the attempt that failed, at most 60 */
function retryDelay (attempt: number): number {
  return Math.min(60, 2 ** attempt)
}

function historyRow (transient: string | null, task: string, outcome: Outcome, attempt: number, worker: string, cause: RunCause,
  error: { message: string; stack: string | null } | null): HistoryRow {
  return {
    transient,
    task,
    started_at: outcome.startedAt.toISOString(),
    finished_at: new Date(outcome.startedAt.getTime() + outcome.durationMs).toISOString(),
    duration_ms: outcome.durationMs,
    status: outcome.status,
    error: error?.message ?? null,
    stack: error?.stack ?? null,
    attempt,
    worker,
    cause,
    action: outcome.released ?? (outcome.retry ? 'retry scheduled' : null),
    output: outcome.output?.value ?? null
  }
}

/**
 * The database refused a statement for the data it carried (SQLSTATE class 22 data exception, 23
 * integrity, 54 program limit, XX internal) — not because it is away: retrying the same rows cannot
 * succeed, so the batch is split to find them.
 */
function refused (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^(22|23|54|XX)[0-9A-Z]{3}$/.test(code)
}

/** an error that crossed the pool's boundary as text, with its stack when it had one */
function asError (fault: FaultText): Error {
  const error = new Error(fault.message)
  error.name = fault.name
  error.stack = fault.stack ?? `${fault.name}: ${fault.message}`
  return error
}

export { LOST_LIMIT }
