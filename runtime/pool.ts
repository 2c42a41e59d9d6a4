// The run pool: every plugin run executes in a worker thread (runtime/run-worker.ts), never on the
// runtime's own event loop, so claims, heartbeats, result writes and the API keep running whatever a
// plugin does. Limits are enforced here, where a run crosses back: its time (the worker is terminated
// when a run outlives timeout_seconds), its memory (the worker's heap limit is the task's memory_mb),
// its output (max_output_bytes, checked in the worker before the value crosses) and its concurrency.
//
// Placement: a task's runs start alone in a worker of their own ("exclusive"), at most `size` of them
// at once — so a fault, a held loop or heap exhaustion touches only the run that caused it. A task
// whose runs keep the loop free (3 runs in a row holding it < 50 ms, or one run waiting 150 ms with
// it free) graduates to a shared worker,
// where many of its runs (and other such tasks') wait on I/O side by side. A shared worker that stops
// answering, or dies, gives its runs back to be run again and sends their tasks back to exclusive
// workers, where the culprit meets its own limit alone.
import { Worker } from 'node:worker_threads'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from './logger.ts'
import type { TransientsAccess } from './types.ts'
import type { FaultText, FromWorker, RunRequest, ToWorker } from './run-result.ts'

const WORKER_URL = new URL(`./run-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
/** a held loop shorter than this is I/O-bound work that may share a worker */
const SHARE_BELOW_MS = 50
const SHARE_AFTER_RUNS = 3
/** after its abort, a run has this long to end before its worker is terminated */
const ABORT_GRACE_MS = 1000
/** a shared worker that answers no ping for this long is wedged */
const WEDGED_MS = 10000
const PING_MS = 500
/** …and one starting up or loading a plugin, this long */
const LOADING_MS = 60000

export interface PoolTask {
  name: string
  plugin: string
  system: boolean
  timeoutSeconds: number
  memoryMb: number
  maxOutputBytes: number
  concurrency: number
}

export interface PoolRun {
  task: PoolTask
  attempt: number
  transient?: unknown
  log: Logger
  transients?: TransientsAccess
}

export type PoolOutcome =
  | { kind: 'returned'; json?: string }
  | { kind: 'error'; error: FaultText }
  | { kind: 'timeout'; error: FaultText }
  /** never finished here (shutdown, or a shared worker lost): run it again without counting the attempt */
  | { kind: 'released'; error: FaultText }

interface Active {
  id: number
  run: PoolRun
  resolve: (outcome: PoolOutcome) => void
  slot?: Slot
  timer?: NodeJS.Timeout
  timedOut?: boolean
}

interface Slot {
  worker: Worker
  memoryMb: number
  shared: boolean
  runs: Map<number, Active>
  outbox: ToWorker[]
  /** plugin file → the generation whose source this worker was sent */
  sent: Map<string, number>
  lastPong: number
  /** answered once: its modules are loaded */
  booted: boolean
  /** plugin loads sent and not yet done: compiling holds the worker's loop */
  loading: number
  ended: boolean
  error?: Error
}

export class RunPool {
  #size: number
  #log: Logger
  #seq = 0
  #gen = 0
  #sources: ReadonlyMap<string, string> = new Map()
  #waiting: Active[] = []
  #exclusive: Slot[] = []
  #shared = new Map<number, Slot>()
  #running = new Map<string, number>()
  /** per task: clean runs in a row that kept the loop free; shared once it reaches SHARE_AFTER_RUNS */
  #clean = new Map<string, number>()
  #stopping = false
  #watchdog: NodeJS.Timeout
  #ping = 0

  constructor (options: { size: number; log: Logger }) {
    this.#size = Math.max(1, options.size)
    this.#log = options.log
    this.#watchdog = setInterval(() => this.#watch(), PING_MS).unref()
  }

  get size (): number { return this.#size }
  /** runs started or waiting for a worker */
  get inFlight (): number {
    let n = this.#waiting.length
    for (const slot of this.#slots()) n += slot.runs.size
    return n
  }

  get workers (): number { return this.#exclusive.length + this.#shared.size }

  /** the next runs load every plugin afresh (a valid manifest or plugin edit), from these texts where given */
  reload (sources: ReadonlyMap<string, string>): void {
    this.#gen++
    this.#sources = sources
  }

  run (run: PoolRun): Promise<PoolOutcome> {
    if (this.#stopping) return Promise.resolve({ kind: 'released', error: { name: 'Error', message: 'the runtime is shutting down', stack: null } })
    return new Promise(resolve => {
      this.#waiting.push({ id: ++this.#seq, run, resolve })
      this.#pump()
    })
  }

  /** waits up to graceMs for the runs in flight, then aborts them, releases what is left and ends every worker */
  async stop (graceMs: number): Promise<void> {
    this.#stopping = true
    for (const active of this.#waiting.splice(0)) active.resolve(released('the runtime is shutting down'))
    const deadline = Date.now() + graceMs
    while (this.inFlight && Date.now() < deadline) await sleep(Math.min(50, deadline - Date.now()))
    if (this.inFlight) {
      for (const slot of this.#slots()) for (const id of slot.runs.keys()) this.#post(slot, { type: 'abort', id, reason: 'the runtime is shutting down' })
      const late = Date.now() + ABORT_GRACE_MS
      while (this.inFlight && Date.now() < late) await sleep(25)
    }
    clearInterval(this.#watchdog)
    await Promise.all(this.#slots().map(slot => this.#end(slot, () => released('the runtime is shutting down'))))
  }

  #slots (): Slot[] { return [...this.#exclusive, ...this.#shared.values()] }

  #pump (): void {
    if (this.#stopping) return
    for (let i = 0; i < this.#waiting.length; i++) {
      const active = this.#waiting[i]!
      const task = active.run.task
      if ((this.#running.get(task.name) ?? 0) >= task.concurrency) continue
      const slot = (this.#clean.get(task.name) ?? 0) >= SHARE_AFTER_RUNS ? this.#sharedSlot(task.memoryMb) : this.#freeSlot(task.memoryMb)
      if (!slot) continue
      this.#waiting.splice(i--, 1)
      this.#start(slot, active)
    }
  }

  #sharedSlot (memoryMb: number): Slot {
    let slot = this.#shared.get(memoryMb)
    if (!slot) {
      slot = this.#spawn(memoryMb, true)
      this.#shared.set(memoryMb, slot)
    }
    return slot
  }

  /** an idle exclusive worker with this heap limit, a new one, or none while `size` are busy */
  #freeSlot (memoryMb: number): Slot | undefined {
    const idle = this.#exclusive.filter(slot => !slot.runs.size)
    const same = idle.find(slot => slot.memoryMb === memoryMb)
    if (same) return same
    if (this.#exclusive.length >= this.#size) {
      // a worker's heap limit is fixed at its start: an idle one of another limit makes room
      if (!idle.length) return undefined
      void this.#end(idle[0]!, () => released('unused'))
    }
    const slot = this.#spawn(memoryMb, false)
    this.#exclusive.push(slot)
    return slot
  }

  #spawn (memoryMb: number, shared: boolean): Slot {
    const worker = new Worker(WORKER_URL, { workerData: { shared }, resourceLimits: { maxOldGenerationSizeMb: memoryMb }, stdout: false, stderr: false })
    const slot: Slot = { worker, memoryMb, shared, runs: new Map(), outbox: [], sent: new Map(), lastPong: Date.now(), booted: false, loading: 0, ended: false }
    worker.on('message', (messages: FromWorker[]) => this.#receive(slot, messages))
    worker.on('error', err => { slot.error = err })
    worker.on('exit', code => this.#exited(slot, code))
    // the runtime's own handles (server, timers) keep the process alive, not an idle worker
    worker.unref()
    return slot
  }

  #start (slot: Slot, active: Active): void {
    const { run } = active
    active.slot = slot
    slot.runs.set(active.id, active)
    this.#running.set(run.task.name, (this.#running.get(run.task.name) ?? 0) + 1)
    const request: RunRequest = {
      type: 'run',
      id: active.id,
      file: run.task.plugin,
      gen: this.#gen,
      ...(slot.sent.get(run.task.plugin) === this.#gen || !this.#sources.has(run.task.plugin) ? {} : { source: this.#sources.get(run.task.plugin)! }),
      task: run.task.name,
      attempt: run.attempt,
      system: run.task.system,
      maxOutputBytes: run.task.maxOutputBytes,
      ...(run.task.system ? {} : { transient: run.transient })
    }
    if (slot.sent.get(run.task.plugin) !== this.#gen) slot.loading++
    slot.sent.set(run.task.plugin, this.#gen)
    this.#post(slot, request)
    active.timer = setTimeout(() => this.#timeout(active), run.task.timeoutSeconds * 1000)
  }

  #post (slot: Slot, message: ToWorker): void {
    if (slot.ended) return
    if (!slot.outbox.length) {
      setImmediate(() => {
        const batch = slot.outbox
        slot.outbox = []
        if (!slot.ended && batch.length) slot.worker.postMessage(batch)
      })
    }
    slot.outbox.push(message)
  }

  #timeout (active: Active): void {
    const slot = active.slot
    if (!slot || !slot.runs.has(active.id)) return
    const limit = active.run.task.timeoutSeconds
    active.timedOut = true
    this.#post(slot, { type: 'abort', id: active.id, reason: `exceeded timeout_seconds=${limit}` })
    active.timer = setTimeout(() => {
      if (!slot.runs.has(active.id)) return
      const outcome = timedOut(limit)
      if (!slot.shared) {
        // terminate the worker: a busy loop ignores its signal
        void this.#end(slot, () => outcome)
      } else {
        // an answering shared worker only holds a promise that never settles; the run is over for us
        this.#finish(active, outcome)
        if (slot.booted && !slot.loading && Date.now() - slot.lastPong > WEDGED_MS) void this.#end(slot, () => released('its shared worker stopped answering'), true)
      }
    }, ABORT_GRACE_MS)
  }

  #receive (slot: Slot, messages: FromWorker[]): void {
    for (const message of messages) {
      switch (message.type) {
        case 'done': {
          const active = slot.runs.get(message.id)
          if (!active) break
          const task = active.run.task.name
          // graduating is sticky: a held loop measured under a loaded machine is noise; a task
          // goes back to workers of its own only when a shared worker stops answering or dies
          if (!slot.shared && !message.error && message.blockMs < SHARE_BELOW_MS) this.#clean.set(task, (this.#clean.get(task) ?? 0) + 1)
          if (active.timedOut) this.#finish(active, timedOut(active.run.task.timeoutSeconds))
          else if (message.error) this.#finish(active, { kind: 'error', error: message.error })
          else this.#finish(active, message.json === undefined ? { kind: 'returned' } : { kind: 'returned', json: message.json })
          break
        }
        case 'log': {
          const active = slot.runs.get(message.run)
          const log = active?.run.log ?? this.#log
          const level = (['debug', 'info', 'warn', 'error'] as const).find(l => l === message.level) ?? 'info'
          if (message.args === undefined) log[level](message.msg)
          else log[level]({ args: message.args }, message.msg)
          break
        }
        case 'rpc': {
          const access = slot.runs.get(message.run)?.run.transients
          const method = access && (access as unknown as Record<string, Function>)[message.method]
          if (!method) {
            this.#post(slot, { type: 'rpc-result', call: message.call, error: `ctx.transients.${message.method} is not available here` })
            break
          }
          Promise.resolve()
            .then(() => method.apply(access, message.args))
            .then(
              value => this.#post(slot, { type: 'rpc-result', call: message.call, value }),
              err => this.#post(slot, { type: 'rpc-result', call: message.call, error: err instanceof Error ? err.message : String(err) })
            )
          break
        }
        case 'pong':
          slot.lastPong = Date.now()
          slot.booted = true
          break
        case 'loaded':
          slot.loading = Math.max(0, slot.loading - 1)
          slot.lastPong = Date.now()
          break
        case 'free': {
          // an exclusive run waiting on I/O with its loop free: the task's next runs may share
          const active = slot.runs.get(message.id)
          if (active && !slot.shared) {
            this.#clean.set(active.run.task.name, Math.max(SHARE_AFTER_RUNS, this.#clean.get(active.run.task.name) ?? 0))
            this.#pump()
          }
          break
        }
        case 'fatal':
          this.#log.error({ err: message.error.message }, 'a plugin fault escaped its run; replacing the worker')
          void this.#end(slot, () => released('its worker had a fault of another run'), true)
          break
      }
    }
  }

  #watch (): void {
    const now = Date.now()
    for (const slot of this.#shared.values()) {
      if (!slot.runs.size) continue
      // starting up or compiling a plugin holds the loop for a while, under load for seconds
      const allowance = slot.booted && !slot.loading ? WEDGED_MS : LOADING_MS
      if (now - slot.lastPong > allowance) {
        this.#log.warn({ runs: slot.runs.size }, 'a shared worker stopped answering; its runs go back to be run again')
        void this.#end(slot, () => released('its shared worker stopped answering'), true)
      } else this.#post(slot, { type: 'ping', n: ++this.#ping })
    }
  }

  /** an exit we did not ask for: heap exhaustion, a crash */
  #exited (slot: Slot, code: number): void {
    if (slot.ended) return
    this.#forget(slot)
    const err = slot.error as (Error & { code?: string }) | undefined
    const why = err?.code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `the run exceeded its memory limit (memory_mb=${slot.memoryMb}, the worker's heap)`
      : `the run's worker ended unexpectedly (exit code ${code}${err ? `: ${err.message}` : ''})`
    if (slot.runs.size === 1) {
      for (const active of slot.runs.values()) this.#finish(active, { kind: 'error', error: { name: 'Error', message: why, stack: null } })
    } else {
      this.#releaseAll(slot, released(`its shared worker ended: ${why}`))
    }
    this.#pump()
  }

  /** terminates a worker; its runs end as `outcome` says (one run of a shared worker is not its own culprit) */
  async #end (slot: Slot, outcome: () => PoolOutcome, demote = false): Promise<void> {
    if (slot.ended) return
    this.#forget(slot)
    if (demote) for (const active of slot.runs.values()) this.#clean.set(active.run.task.name, 0)
    this.#releaseAll(slot, outcome())
    await slot.worker.terminate().catch(() => {})
    this.#pump()
  }

  #forget (slot: Slot): void {
    slot.ended = true
    this.#exclusive = this.#exclusive.filter(s => s !== slot)
    if (this.#shared.get(slot.memoryMb) === slot) this.#shared.delete(slot.memoryMb)
  }

  #releaseAll (slot: Slot, outcome: PoolOutcome): void {
    for (const active of [...slot.runs.values()]) {
      this.#finish(active, outcome)
      if (outcome.kind === 'released') this.#clean.set(active.run.task.name, 0)
    }
  }

  #finish (active: Active, outcome: PoolOutcome): void {
    const slot = active.slot
    if (!slot || !slot.runs.delete(active.id)) return
    clearTimeout(active.timer)
    const task = active.run.task.name
    const left = (this.#running.get(task) ?? 1) - 1
    if (left) this.#running.set(task, left)
    else this.#running.delete(task)
    active.resolve(outcome)
    if (!slot.ended) queueMicrotask(() => this.#pump())
  }
}

function released (message: string): PoolOutcome {
  return { kind: 'released', error: { name: 'Error', message: `released: ${message}`, stack: null } }
}

function timedOut (limit: number): PoolOutcome {
  return { kind: 'timeout', error: { name: 'Error', message: `exceeded timeout_seconds=${limit}`, stack: null } }
}

function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))
}
