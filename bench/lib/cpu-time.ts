// CPU time spent in a measured window, split between this process (every thread: the main loop,
// the run pool, an embedded database) and the PostgreSQL server on this machine (every postgres
// process: its backends, those that exited since, as the postmaster's reaped children, and its
// background writers). Read from /proc; where there is none, the server's share is null.
import { readdirSync, readFileSync } from 'node:fs'

// Linux reports /proc times in clock ticks of 1/100 s on every platform Node supports
const TICK_MS = 10

function postgresTicks (): number | null {
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter(name => /^\d+$/.test(name))
  } catch {
    return null
  }
  let ticks = 0
  let seen = false
  for (const pid of pids) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    } catch {
      continue // exited while listed
    }
    const open = stat.indexOf('(')
    const close = stat.lastIndexOf(')')
    if (stat.slice(open + 1, close) !== 'postgres') continue
    seen = true
    // after the command: state ppid … utime (14) stime (15) cutime (16) cstime (17), numbered from 1
    const fields = stat.slice(close + 2).split(' ')
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number)
    ticks += utime! + stime! + cutime! + cstime!
  }
  return seen ? ticks : null
}

/** processMs: every thread of this process; mainMs: its main thread alone (the rest is its worker threads) */
export interface CpuTime { processMs: number; mainMs: number; postgresMs: number | null }

/** starts a window; call the result to read the CPU time spent since */
export function cpuWindow (): () => CpuTime {
  const process0 = process.cpuUsage()
  const main0 = process.threadCpuUsage()
  const postgres0 = postgresTicks()
  return () => {
    const used = process.cpuUsage(process0)
    const main = process.threadCpuUsage(main0)
    const postgres1 = postgresTicks()
    return {
      processMs: (used.user + used.system) / 1000,
      mainMs: (main.user + main.system) / 1000,
      postgresMs: postgres0 === null || postgres1 === null ? null : (postgres1 - postgres0) * TICK_MS
    }
  }
}
