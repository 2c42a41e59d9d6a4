// The one logger: pino, JSON lines by default (what a collector wants), human-readable lines on a
// terminal (pino-pretty, in this thread: no transport worker). The same warning repeated — the same
// message with the same fields — is written once per THROTTLE_MS, the next one carrying how many were
// held back, so a condition that persists (a bad inbox row re-read every sweep) does not flood the log.
import { pino, type DestinationStream, type Logger } from 'pino'
import pretty from 'pino-pretty'

export type { Logger }

export interface LoggerOptions {
  /** human-readable lines (a terminal); JSON lines otherwise */
  pretty?: boolean
  /** how long a repeated identical warning is held back; 10 minutes by default */
  throttleMs?: number
  /** where lines go; stdout by default */
  destination?: DestinationStream
}

export const THROTTLE_MS = 10 * 60 * 1000
const WARN = 40

export function createLogger (level: string, options: LoggerOptions = {}): Logger {
  const throttleMs = options.throttleMs ?? THROTTLE_MS
  const seen = new Map<string, { at: number; held: number }>()
  const opts = {
    level,
    base: { pid: process.pid },
    name: 'blast-tasks',
    hooks: {
      logMethod (this: Logger, args: unknown[], method: (...a: unknown[]) => void, lvl: number) {
        if (lvl !== WARN) return method.apply(this, args)
        const key = `${JSON.stringify(this.bindings())}\u0000${args.map(a => (a instanceof Error ? a.message : safeJson(a))).join('\u0000')}`
        const now = Date.now()
        const last = seen.get(key)
        if (last && now - last.at < throttleMs) {
          last.held++
          return
        }
        if (seen.size > 1000) seen.clear() // bounded: distinct warnings are rare; this only forgets
        seen.set(key, { at: now, held: 0 })
        if (!last?.held) return method.apply(this, args)
        const [first, ...rest] = args
        const fields = first !== null && typeof first === 'object' && !(first instanceof Error) ? first : first instanceof Error ? { err: first } : undefined
        return fields ? method.apply(this, [{ ...fields, repeated: last.held }, ...rest]) : method.apply(this, [{ repeated: last.held }, ...args])
      }
    }
  }
  if (!options.pretty) return options.destination ? pino(opts, options.destination) : pino(opts)
  return pino(opts, pretty({
    colorize: !options.destination, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name',
    ...(options.destination ? { destination: options.destination as NodeJS.WritableStream } : {})
  }))
}

function safeJson (value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
