// What crosses the run pool's boundary (runtime/pool.ts ↔ runtime/run-worker.ts): plain data only,
// and an error as bounded text, whatever value a plugin threw.

/** bounds on stored error text: a plugin's error is data, not a way to fill the history */
export const ERROR_MAX_CHARS = 4096
export const STACK_MAX_CHARS = 16384

export interface FaultText { name: string; message: string; stack: string | null }

export interface RunRequest {
  type: 'run'
  id: number
  file: string
  /** the plugin generation: a reload bumps it and the worker loads the file afresh */
  gen: number
  /** the module's text as last validated, sent once per worker and generation */
  source?: string
  task: string
  attempt: number
  system: boolean
  transient?: unknown
  maxOutputBytes: number
}

export interface RunDone {
  id: number
  /** what process() returned, as JSON text (absent: it returned nothing) */
  json?: string
  error?: FaultText
  /** the longest the worker's loop was held while this run was in flight */
  blockMs: number
}

export type ToWorker =
  | RunRequest
  | { type: 'abort'; id: number; reason: string }
  | { type: 'ping'; n: number }
  | { type: 'rpc-result'; call: number; value?: unknown; error?: string }

export type FromWorker =
  | ({ type: 'done' } & RunDone)
  | { type: 'log'; run: number; level: string; msg: string; args?: unknown }
  | { type: 'rpc'; call: number; run: number; method: string; args: unknown[] }
  | { type: 'pong'; n: number }
  /** the run has waited a while with the loop free: its task is I/O-bound */
  | { type: 'free'; id: number }
  /** a plugin module finished loading (or failed to) */
  | { type: 'loaded'; file: string }
  | { type: 'fatal'; error: FaultText }

/** any thrown value as bounded text; never throws (a Proxy, an object without a prototype…) */
export function faultText (err: unknown, kind?: string): FaultText {
  let name = 'Error'
  let message: string
  let stack: string | null = null
  try {
    if (err instanceof Error) {
      name = String(err.name)
      message = String(err.message)
      stack = typeof err.stack === 'string' ? err.stack : null
    } else {
      message = describeThrown(err)
    }
  } catch {
    message = describeThrown(err)
  }
  if (kind) message = `${kind}: ${message}`
  return {
    name: name.slice(0, 200),
    message: clip(message, ERROR_MAX_CHARS),
    stack: stack === null ? null : clip(stack, STACK_MAX_CHARS)
  }
}

function describeThrown (err: unknown): string {
  try {
    if (typeof err === 'string') return err
    const text = String(err)
    if (text !== '[object Object]') return `a thrown ${typeof err}: ${text}`
  } catch { /* no toString, or a Proxy that throws */ }
  try {
    const json = JSON.stringify(err)
    if (json !== undefined) return `a thrown value that is not an Error: ${json}`
  } catch { /* cyclic, BigInt, a Proxy */ }
  try {
    return `a thrown value that is not an Error (${Object.prototype.toString.call(err)})`
  } catch {
    return 'a thrown value that cannot be turned into text'
  }
}

function clip (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`
}
