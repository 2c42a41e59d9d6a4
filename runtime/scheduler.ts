// The timekeeper: when each task sweeps, and the lease that makes a dead process's claims run again.
//  - Cadences cron can express (whole minutes dividing an hour, whole hours dividing a day) are
//    pg-boss schedules on the sweep queue (pg-boss checks crons every second here).
//  - Any other cadence (5 s, 90 s…) is a ticker in every process, firing on multiples of the period
//    since the epoch and sending with pg-boss's singletonSeconds: one sweep per period lands, however
//    many processes tick.
//  - Every process heart-beats its worker row; the reaper re-queues claims whose owner stopped.
import { hostname } from 'node:os'
import type { PgBoss, Job } from 'pg-boss'
import { Gauge, type Registry } from 'prom-client'
import type { RunCause } from './control.ts'
import { LOST_LIMIT, type Dispatcher } from './dispatcher.ts'
import { errorText } from './plugin-io.ts'
import type { Logger } from './logger.ts'
import { SWEEP_QUEUE, nextSweepAt, type Plan } from './plan.ts'
import { actionRow, type HistoryRow, type StatusWrite, type Store } from './store.ts'
import { BUILTIN_STATUSES } from './types.ts'

interface SweepData { task: string; at?: number }

export interface SchedulerOptions {
  boss: PgBoss
  store: Store
  dispatcher: Dispatcher
  log: Logger
  workerId: string
  leaseSeconds: number
  /** no other process can share the database (embedded): every foreign claim is lost at start */
  exclusive: boolean
  metrics: Registry
  plan: () => Plan
}

export class Scheduler {
  #o: SchedulerOptions
  #tickers = new Map<string, NodeJS.Timeout>()
  #timers: NodeJS.Timeout[] = []
  #healthySince = 0
  #stopped = false
  #lag: Gauge

  constructor (options: SchedulerOptions) {
    this.#o = options
    this.#lag = new Gauge({ name: 'blast_sweep_lag_seconds', help: 'How late the last sweep of a task started', labelNames: ['task'], registers: [options.metrics] })
  }

  async start (): Promise<void> {
    const { boss, store, workerId, leaseSeconds } = this.#o
    await store.registerWorker(workerId, hostname(), process.pid)
    this.#healthySince = this.#o.exclusive ? 0 : Date.now()
    await boss.createQueue(SWEEP_QUEUE, { policy: 'standard', notify: true, retryLimit: 3, expireInSeconds: 600 })
    await boss.work<SweepData>(SWEEP_QUEUE, { batchSize: 20, pollingIntervalSeconds: 2 }, jobs => this.#onSweepJobs(jobs))
    const every = Math.max(1, leaseSeconds / 3) * 1000
    this.#timers.push(setInterval(() => void this.#heartbeat(), every))
    this.#timers.push(setInterval(() => void this.reap(), every))
  }

  /** aligns schedules and tickers with the plan, then sweeps every task once (Blast runs tasks on start-up) */
  async apply (plan: Plan): Promise<void> {
    const { boss } = this.#o
    const crons = new Map<string, { cron: string; task: string }>()
    for (const planned of plan.tasks.values()) {
      if (planned.schedule.kind === 'cron') crons.set(planned.task.slug, { cron: planned.schedule.cron!, task: planned.name })
    }
    // Schedules already as wanted are left alone: one committed upsert each made every start and
    // reload pay ~20 ms per task (17 tasks: a sixth of a reopened start on PostgreSQL).
    const current = new Set<string>()
    for (const schedule of await boss.getSchedules(SWEEP_QUEUE)) {
      const want = crons.get(schedule.key)
      if (!want || want.cron !== schedule.cron) await boss.unschedule(SWEEP_QUEUE, schedule.key)
      else if ((schedule.data as { task?: string } | undefined)?.task === want.task && schedule.timezone === 'UTC') current.add(schedule.key)
    }
    for (const [key, { cron, task }] of crons) if (!current.has(key)) await boss.schedule(SWEEP_QUEUE, cron, { task }, { key, tz: 'UTC' })

    for (const timer of this.#tickers.values()) clearTimeout(timer)
    this.#tickers.clear()
    for (const planned of plan.tasks.values()) {
      if (planned.schedule.kind === 'interval') this.#tick(planned.name, planned.schedule.everySeconds, false)
    }
    for (const planned of plan.tasks.values()) await this.sweep(planned.name, 'sweep').catch(err => this.#warn(err, 'start-up sweep failed'))
  }

  /** re-arms an interval task's ticker (its period changed, or it is new) */
  #tick (name: string, seconds: number, fire: boolean): void {
    clearTimeout(this.#tickers.get(name))
    if (fire) {
      const at = Math.floor(Date.now() / (seconds * 1000)) * seconds * 1000
      // a system task's period is claimed in the database: fire it here, not a polled job's delay later
      if (this.#o.plan().tasks.get(name)?.task.kind === 'system') {
        void this.sweep(name, 'sweep', at).catch(err => this.#warn(err, 'could not fire a schedule'))
      } else this.#o.boss.send(SWEEP_QUEUE, { task: name, at } satisfies SweepData, { singletonKey: `interval:${name}`, singletonSeconds: seconds })
        .catch(err => this.#warn(err, 'could not queue a sweep'))
    }
    if (this.#stopped) return
    const delay = nextSweepAt(seconds).getTime() - Date.now() + 5
    this.#tickers.set(name, setTimeout(() => {
      const planned = this.#o.plan().tasks.get(name)
      if (planned?.schedule.kind === 'interval') this.#tick(name, planned.schedule.everySeconds, true)
    }, delay))
  }

  async #onSweepJobs (jobs: Job<SweepData>[]): Promise<void> {
    for (const job of jobs) {
      const planned = this.#o.plan().tasks.get(job.data.task)
      if (!planned) continue
      const due = job.data.at ?? Math.floor(Date.now() / 60000) * 60000
      this.#lag.set({ task: planned.name }, Math.max(0, (Date.now() - due) / 1000))
      await this.sweep(planned.name, 'sweep', job.data.at)
    }
  }

  /** queues every ready register of a task (or a run of a system task); returns how many */
  async sweep (task: string, cause: RunCause, at?: number): Promise<number> {
    const { store, dispatcher, boss } = this.#o
    const planned = this.#o.plan().tasks.get(task)
    if (!planned) return 0
    const [state] = await store.db.query<{ enabled: boolean }>(store.sql.markSwept, [task])
    // a disabled task is never swept; an explicit run (api) runs it once
    if (!state || (!state.enabled && cause !== 'api')) return 0
    if (planned.task.kind === 'system') {
      // A schedule's period fires once across processes, starts, reloads and frequency changes: the
      // first to claim the period's slot (epoch-aligned, as tickers and crons are) sends the run.
      if (cause === 'sweep') {
        const period = planned.schedule.everySeconds * 1000
        const slot = Math.floor((at ?? Date.now()) / period) * period
        if (!await store.fireSystem(task, new Date(slot))) return 0
      }
      return (await boss.send(planned.queue, { c: cause })) ? 1 : 0
    }
    // The registers are the queue: a scheduled sweep only wakes this process's lane of the task (the
    // lanes claim what is ready; this catches a row changed behind the engine's back). An explicit run
    // records its cause on every ready register, or runs a disabled task's here, once.
    if (cause === 'sweep') {
      dispatcher.wake(task)
      return 0
    }
    if (!state.enabled) return dispatcher.runDisabled(task, cause)
    const queued = await store.markCause(task, cause, null)
    dispatcher.wake(task)
    return queued
  }

  /** claims whose owner is gone go back to `not processed` and are queued again (failed after LOST_LIMIT) */
  async reap (): Promise<number> {
    const { store, dispatcher, leaseSeconds, workerId } = this.#o
    // -1: the heartbeat is failing (the database is away); once it is back, every other process gets
    // a lease from that moment to heart-beat before its claims count as lost
    if (this.#stopped || this.#healthySince < 0 || Date.now() - this.#healthySince < leaseSeconds * 1000) return 0
    try {
      const plan = this.#o.plan()
      const timeouts = Object.fromEntries(plan.transientTasks.map(planned => [planned.name, planned.task.timeoutSeconds]))
      const ids = await store.lostClaims(leaseSeconds, timeouts)
      const running = await store.runningSystem()
      for (const task of await store.overdueSystem(leaseSeconds)) {
        const planned = plan.tasks.get(task)
        if (planned) await this.#o.boss.send(planned.queue, { c: 'retry' }).catch(err => this.#warn(err, 'could not queue an overdue system retry'))
      }
      if (!ids.length && !running.length) return 0
      const live = await store.liveWorkers(leaseSeconds)
      if (this.#o.exclusive) for (const id of live) if (id !== workerId) live.delete(id)
      let lost = await this.#reapSystem(running.filter(run => !run.owner || !live.has(run.owner)))
      if (!ids.length) return lost
      const now = Date.now()
      const ready = await store.transition(plan, ids, registers => {
        // back to `not processed`, claimed again as a recovery
        const writes: StatusWrite[] = []
        const history: HistoryRow[] = []
        for (const register of registers) {
          const planned = plan.tasks.get(register.task)
          if (register.status !== BUILTIN_STATUSES.processing) continue
          const overdue = register.started_at && planned &&
            now - register.started_at.getTime() > (planned.task.timeoutSeconds + leaseSeconds) * 1000
          // a live owner ends its own runs: the run pool terminates a run at its timeout, and a
          // claimed run may wait in the pool for a worker longer than its timeout
          if (register.owner && live.has(register.owner)) continue
          lost++
          const why = overdue ? `run outlived its timeout by the lease (${leaseSeconds} s)` : `worker ${register.owner ?? '?'} stopped while running`
          const give = register.attempts >= LOST_LIMIT
          const status = give ? planned?.task.failedStatus ?? BUILTIN_STATUSES.failed : BUILTIN_STATUSES.notProcessed
          const message = give ? `${why}; lost ${register.attempts} times, giving up` : `${why}; re-queued (attempt ${register.attempts})`
          writes.push({ id: register.id, task: register.task, status, lastError: message, ...(give ? {} : { cause: 'recovery' as const }) })
          history.push(actionRow(register, { status, error: message, worker: register.owner, cause: 'recovery', action: 'recovered', fromClaim: true }))
        }
        return { writes, history }
      })
      if (lost) this.#o.log.warn({ lost }, 'recovered claims of stopped workers')
      await dispatcher.enqueue(ready, 'recovery')
      return lost
    } catch (err) {
      this.#warn(err, 'reaper failed')
      return 0
    }
  }

  /** system runs whose owner stopped: due again at once (a lost attempt counts), failed after LOST_LIMIT */
  async #reapSystem (runs: Array<{ task: string; owner: string | null; attempts: number; started_at: Date | null }>): Promise<number> {
    const { store, boss } = this.#o
    let lost = 0
    for (const run of runs) {
      const planned = this.#o.plan().tasks.get(run.task)
      const give = run.attempts >= LOST_LIMIT
      const status = give ? planned?.task.failedStatus ?? BUILTIN_STATUSES.failed : BUILTIN_STATUSES.notProcessed
      const why = `worker ${run.owner ?? '?'} stopped while running`
      const message = give ? `${why}; lost ${run.attempts} times, giving up` : `${why}; re-queued (attempt ${run.attempts})`
      const now = new Date().toISOString()
      const row: HistoryRow = {
        transient: null, task: run.task, started_at: run.started_at?.toISOString() ?? now, finished_at: now, duration_ms: null,
        status, error: message, stack: null, attempt: run.attempts, worker: run.owner, cause: 'recovery', action: 'recovered', output: null
      }
      if (!await store.recoverSystem(run.task, run.owner, give, row)) continue
      lost++
      if (!give && planned) await boss.send(planned.queue, { c: 'recovery' }).catch(err => this.#warn(err, 'could not queue a recovered system run; its next period will'))
    }
    if (lost) this.#o.log.warn({ lost, system: true }, 'recovered claims of stopped workers')
    return lost
  }

  async #heartbeat (): Promise<void> {
    const { store, workerId } = this.#o
    try {
      if (!await store.heartbeat(workerId)) await store.registerWorker(workerId, hostname(), process.pid)
      await store.foldCounts() // keeps a count read at a handful of rows (migration 005)
      // after an outage, give every other process a lease to heart-beat before judging them dead
      if (this.#healthySince < 0) this.#healthySince = Date.now()
    } catch (err) {
      if (this.#healthySince >= 0) this.#warn(err, 'database unreachable; heartbeat failed')
      this.#healthySince = -1
    }
  }

  async stop (): Promise<void> {
    this.#stopped = true
    for (const timer of this.#tickers.values()) clearTimeout(timer)
    for (const timer of this.#timers) clearInterval(timer)
    this.#tickers.clear()
    this.#timers = []
    await this.#o.boss.offWork(SWEEP_QUEUE).catch(() => {})
  }

  #warn (err: unknown, message: string): void {
    this.#o.log.warn({ err: errorText(err).message }, message)
  }
}
