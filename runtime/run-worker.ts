// A worker thread of the run pool (runtime/pool.ts). It loads plugins, runs them on the plain data the
// main thread sends and sends plain data back: the returned value as bounded JSON text, or the error
// as bounded text. Every run executes in its own async context, so a fault the plugin leaves behind
// (an unhandled rejection, a throw in a timer, process.exit) is pinned to the run that caused it.
import { AsyncLocalStorage } from 'node:async_hooks'
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { type EventLoopUtilization, performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { loadPlugin } from './plugin-loader.ts'
import { faultText, type FromWorker, type RunRequest, type RunDone, type ToWorker } from './run-result.ts'

const port = parentPort!

// A worker of its own runs CPU-bound work: it yields the CPU to the runtime's own thread (claims,
// heartbeats, the API). On Linux a thread has its own nice value, and this worker's thread id is in
// /proc/thread-self. A shared worker keeps the runtime's priority: its runs are short, and it must
// answer the pool's pings however loaded the machine is.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
  if (!workerData?.shared && Number.isInteger(tid) && tid > 0) setPriority(tid, Math.max(getPriority(tid), 10))
} catch { /* not Linux, or not allowed: runs keep the runtime's priority */ }
const scope = new AsyncLocalStorage<number>()
/** file → the generation it was loaded at and its process function */
const plugins = new Map<string, { gen: number; fn: Promise<Function> }>()
interface Running {
  task: string
  abort: AbortController
  settle: (done: RunDone) => void
  since: number
  /** the worker's event-loop utilisation when the run started: its active time since is what the run ran */
  elu: EventLoopUtilization | null
  /** told the pool it waits with the loop free */
  free: boolean
}
const runs = new Map<number, Running>()
const rpcs = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()
let rpcSeq = 0
let outbox: FromWorker[] = []
/** a run in flight this long that kept this worker's loop busy less than HELD_MS is I/O-bound: the pool may share its task */
const FREE_AFTER_MS = 150
const HELD_MS = 50

/** how long this worker's loop was busy (running code, not waiting) since the run's start, in ms */
function busy (run: Running): number {
  return run.elu ? performance.eventLoopUtilization(run.elu).active : 0
}

// The loop's busy time, not how late a timer fires: on a loaded machine timers are late for everyone,
// and a run that waits on I/O must not pass for CPU-bound.
setInterval(() => {
  const now = performance.now()
  for (const [id, run] of runs) {
    if (!run.elu || run.free || now - run.since < FREE_AFTER_MS) continue
    if (busy(run) < HELD_MS) {
      run.free = true
      send({ type: 'free', id })
    }
  }
}, 25).unref()

function send (message: FromWorker): void {
  if (!outbox.length) setImmediate(flush)
  outbox.push(message)
}

function flush (): void {
  const batch = outbox
  outbox = []
  if (batch.length) port.postMessage(batch)
}

// A plugin may not end its worker: process.exit becomes an error of the run that called it.
process.exit = ((code?: number) => {
  const id = scope.getStore()
  const task = id === undefined ? undefined : runs.get(id)?.task
  throw new Error(`plugin of ${JSON.stringify(task ?? '?')} called process.exit(${code ?? ''}); a plugin may not end the runtime`)
}) as typeof process.exit

function fault (kind: string) {
  return (err: unknown) => {
    const id = scope.getStore()
    const run = id === undefined ? undefined : runs.get(id)
    if (run) return run.settle({ id: id!, error: faultText(err, kind), blockMs: 0 })
    // not a run's (a fault that escaped every run's context): the pool replaces this worker and
    // releases the runs it held
    port.postMessage([{ type: 'fatal', error: faultText(err, kind) }])
  }
}
process.on('uncaughtException', fault('uncaught exception'))
process.on('unhandledRejection', fault('unhandled rejection'))

function plugin (file: string, gen: number, source: string | undefined): Promise<Function> {
  const known = plugins.get(file)
  if (known && known.gen >= gen) return known.fn
  const fn = loadPlugin(file, source).then(module => module.process as Function)
  // compiling a module holds the loop: the pool does not judge this worker wedged until it is done
  // (posted at once: the run that follows may hold the loop before a batched message would leave)
  const loaded = () => port.postMessage([{ type: 'loaded', file } satisfies FromWorker])
  fn.then(loaded, loaded)
  // a file that no longer loads keeps its last good version; a first load that fails is retried next run
  const entry = { gen, fn: known ? fn.catch(() => known.fn) : fn }
  entry.fn.catch(() => { if (plugins.get(file) === entry) plugins.delete(file) })
  plugins.set(file, entry)
  return entry.fn
}

const transients = {
  upsert: (list: unknown) => call('upsert', [list]),
  list: (options?: unknown) => call('list', [options]),
  get: (name: unknown) => call('get', [name])
}

function call (method: string, args: unknown[]): Promise<any> {
  const id = ++rpcSeq
  return new Promise((resolve, reject) => {
    rpcs.set(id, { resolve, reject })
    send({ type: 'rpc', call: id, run: scope.getStore() ?? 0, method, args })
  })
}

function logger (id: number) {
  const at = (level: string) => (msg: unknown, ...args: unknown[]) => {
    let text: string
    try { text = String(msg) } catch { text = '[a log message that cannot be turned into text]' }
    send({ type: 'log', run: id, level, msg: text.slice(0, 4096), args: args.length ? safeArgs(args) : undefined })
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

function safeArgs (args: unknown[]): unknown {
  try { return JSON.parse(JSON.stringify(args).slice(0, 4096)) } catch { return undefined }
}

function start (request: RunRequest): void {
  const abort = new AbortController()
  let settled = false
  const settle = (done: RunDone) => {
    if (settled) return
    settled = true
    // a run that held the loop up to its end settles before the late tick comes: count it here
    runs.delete(request.id)
    send({ type: 'done', ...done, blockMs: Math.round(busy(running)) })
  }
  const running: Running = { task: request.task, abort, settle, since: performance.now(), elu: null, free: false }
  runs.set(request.id, running)
  scope.run(request.id, () => {
    const ctx = {
      log: logger(request.id),
      signal: abort.signal,
      task: request.task,
      attempt: request.attempt,
      ...(request.system ? { transients } : {})
    }
    Promise.resolve()
      .then(() => plugin(request.file, request.gen, request.source))
      .then(fn => {
        running.since = performance.now()
        running.elu = performance.eventLoopUtilization()
        return request.system ? fn(ctx) : fn(request.transient, ctx)
      })
      .then(
        value => settle(encode(request, value)),
        err => settle({ id: request.id, error: faultText(err), blockMs: 0 })
      )
  })
}

/** the returned value as JSON text, refused past the task's output bound before it crosses the boundary */
function encode (request: RunRequest, value: unknown): RunDone {
  if (value === undefined) return { id: request.id, blockMs: 0 }
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (err) {
    return { id: request.id, error: faultText(new Error(`process() returned an output that is not JSON: ${faultText(err).message}`)), blockMs: 0 }
  }
  if (json === undefined) return { id: request.id, blockMs: 0 }
  const bytes = Buffer.byteLength(json)
  if (bytes > request.maxOutputBytes) {
    return {
      id: request.id,
      error: faultText(new Error(`process() returned ${bytes} bytes of output; the bound is max_output_bytes=${request.maxOutputBytes}`)),
      blockMs: 0
    }
  }
  return { id: request.id, json, blockMs: 0 }
}

port.on('message', (messages: ToWorker[]) => {
  for (const message of messages) {
    if (message.type === 'run') start(message)
    else if (message.type === 'abort') {
      const run = runs.get(message.id)
      run?.abort.abort(new Error(message.reason))
    } else if (message.type === 'ping') send({ type: 'pong', n: message.n })
    else if (message.type === 'rpc-result') {
      const rpc = rpcs.get(message.call)
      rpcs.delete(message.call)
      if (message.error) rpc?.reject(new Error(message.error))
      else rpc?.resolve(message.value)
    }
  }
})

// booted: from here on the pool expects this worker to answer its pings
send({ type: 'pong', n: 0 })
