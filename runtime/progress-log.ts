// One info line per transient task every PROGRESS_MS while its registers move: how many are done
// (no longer `not processed` or `processing`), of how many, and the counts — read from the kept
// counts (migration 005), so the line costs nothing however many transients there are. A task whose
// counts did not change since its last line is not logged again.
import type { TaskInfo } from './control.ts'
import type { Logger } from './logger.ts'

export const PROGRESS_MS = 60_000
const PENDING = new Set(['not processed', 'processing'])

export class ProgressLog {
  #timer: NodeJS.Timeout | undefined
  #last = new Map<string, string>()
  #read: () => Promise<TaskInfo[]>
  #log: Logger

  constructor (read: () => Promise<TaskInfo[]>, log: Logger) {
    this.#read = read
    this.#log = log
  }

  start (everyMs = PROGRESS_MS): void {
    this.#timer ??= setInterval(() => void this.tick(), everyMs)
    this.#timer.unref()
  }

  /** logs the tasks whose counts moved; returns how many lines it wrote */
  async tick (): Promise<number> {
    let tasks: TaskInfo[]
    try {
      tasks = await this.#read()
    } catch {
      return 0 // stopping, or the database is away: the heartbeat says so
    }
    let lines = 0
    for (const info of tasks) {
      if (info.task.kind !== 'transient') continue
      const signature = JSON.stringify(info.counts)
      if (this.#last.get(info.task.name) === signature) continue
      const first = !this.#last.has(info.task.name)
      this.#last.set(info.task.name, signature)
      const total = Object.values(info.counts).reduce((a, b) => a + b, 0)
      const done = Object.entries(info.counts).filter(([s]) => !PENDING.has(s)).reduce((a, [, n]) => a + n, 0)
      // at start, a finished task is news to nobody
      if (first && done === total) continue
      this.#log.info({ task: info.task.name, done, total, counts: info.counts }, `progress ${info.task.name}: ${done}/${total}`)
      lines++
    }
    return lines
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }
}
