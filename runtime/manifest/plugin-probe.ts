// Checks plugins the way validation needs to — load each file, hold it to the contract — without
// running a line of them in this thread. The files load in a throwaway worker thread with a time
// limit: a plugin whose top-level code exits, loops, throws anything or leaves a rejection unhandled
// becomes a diagnostic, and whoever asked (the CLI, hot reload, the API) carries on.
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { EXCERPT_CHARS, type PluginErrorCode } from '../plugin-loader.ts'
import { displayPath } from './diagnostics.ts'

/** the whole check of one manifest's plugins, by default */
export const PROBE_TIMEOUT_MS = 10_000
/** heap of the probe worker; a plugin that allocates past it at load is reported, not fatal */
const PROBE_HEAP_MB = 512
/** probes at once in this process (each is a thread); more wait their turn, outside the time limit */
const MAX_PROBES = 2
/**
 * how long a worker may take to start, apart from the limit: starting a thread is our cost, not the
 * plugins', and on a busy machine it varies
 */
const STARTUP_MS = 30_000

export interface ProbeFailure {
  readonly code: PluginErrorCode
  readonly message: string
  /** 1-based position inside the plugin, when the problem has one */
  readonly line?: number | undefined
  readonly column?: number | undefined
}

/** what the worker (plugin-probe-worker.ts) says, one message per step */
export type ProbeMessage =
  | { type: 'loading'; file: string }
  | { type: 'loaded'; file: string }
  | ({ type: 'failed'; file: string } & ProbeFailure)
  | { type: 'done' }

const WORKER = new URL(`./plugin-probe-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url)

let running = 0
const waiting: Array<() => void> = []

async function slot (): Promise<() => void> {
  if (running >= MAX_PROBES) await new Promise<void>(resolve => waiting.push(resolve))
  running++
  return () => {
    running--
    waiting.shift()?.()
  }
}

/**
 * Loads each file in a worker and returns, per file, its failure (or undefined when it loads and
 * keeps the contract). A worker that dies blames the file it was loading and a fresh one goes on
 * with the rest, within the same time limit.
 */
export async function probePlugins (files: readonly string[], timeoutMs = PROBE_TIMEOUT_MS): Promise<Map<string, ProbeFailure | undefined>> {
  const results = new Map<string, ProbeFailure | undefined>()
  if (files.length === 0) return results
  const release = await slot()
  try {
    // the limit counts the time spent loading plugins, across the workers a dying plugin makes us start
    let left = timeoutMs
    const seconds = `${Math.round(timeoutMs / 100) / 10} s`
    for (;;) {
      const rest = files.filter(file => !results.has(file))
      if (rest.length === 0) break
      if (left <= 0) {
        for (const file of rest) {
          results.set(file, { code: 'BLAST_PLUGIN_LOAD', message: `${displayPath(file)} was not checked: loading the plugins before it used up the ${seconds} limit` })
        }
        break
      }
      const before = results.size
      const { ended, spent } = await runWorker(rest, left, seconds, results)
      left -= spent
      // a worker that ends before reporting on any file (it could not start) is not tried again and again
      if (results.size === before) {
        for (const file of rest) results.set(file, { code: 'BLAST_PLUGIN_LOAD', message: `${displayPath(file)} was not checked: the checking worker ended before it loaded anything (${ended})` })
        break
      }
    }
  } finally {
    release()
  }
  return results
}

/** one worker over `files`; settles, with how it ended, when it is done, dies, or runs out of time */
function runWorker (files: readonly string[], timeoutMs: number, seconds: string, results: Map<string, ProbeFailure | undefined>):
Promise<{ ended: string; spent: number }> {
  return new Promise(resolve => {
    let current: string | null = null
    let settled = false
    let started: number | null = null
    const worker = new Worker(WORKER, {
      workerData: { files },
      // a plugin printing at load must not write into the CLI's output or the runtime's log
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: PROBE_HEAP_MB }
    })
    worker.stdout.resume()
    worker.stderr.resume()
    const finish = (blame?: string, outOfTime = false): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (current !== null && !results.has(current)) {
        results.set(current, { code: 'BLAST_PLUGIN_LOAD', message: `${displayPath(current)} ${blame ?? 'stopped the check while loading'}` })
      }
      // a timer may fire a little before performance.now() says its time is up (libuv's clock is
      // the loop's, cached); when it fires, the limit is used up whatever the other clock says
      const done = { ended: blame ?? 'ended', spent: outOfTime ? timeoutMs : started === null ? 0 : performance.now() - started }
      // the plugin may have left timers or handles behind; the thread goes either way
      worker.terminate().then(() => resolve(done), () => resolve(done))
    }
    let timer = setTimeout(() => finish(`did not start within ${STARTUP_MS / 1000} s`), STARTUP_MS)
    worker.on('message', (message: ProbeMessage) => {
      if (message.type === 'loading') {
        current = message.file
        if (started === null) {
          // the clock runs from the first plugin on
          started = performance.now()
          clearTimeout(timer)
          timer = setTimeout(() => finish(`did not finish loading within the ${seconds} limit (an endless loop or a wait at top level?)`, true), timeoutMs)
        }
      } else if (message.type === 'loaded') results.set(message.file, undefined)
      else if (message.type === 'failed') results.set(message.file, bounded(message))
      else finish()
    })
    worker.on('error', error => {
      const out = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      finish(out ? `ran out of memory while loading (the check allows ${PROBE_HEAP_MB} MB)` : `ended the check while loading: ${String(error.message).slice(0, EXCERPT_CHARS)}`)
    })
    worker.on('exit', code => finish(`calls process.exit(${code}) while loading; a plugin must not end the process`))
  })
}

// The worker is ours, but what it relays is the plugin's words: keep them to one bounded line.
function bounded (failure: ProbeFailure): ProbeFailure {
  const message = failure.message.split('\n')[0]!
  return {
    code: failure.code,
    message: message.length > 2 * EXCERPT_CHARS ? `${message.slice(0, 2 * EXCERPT_CHARS - 1)}…` : message,
    line: failure.line,
    column: failure.column
  }
}
