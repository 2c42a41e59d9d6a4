// `blast-tasks status`: the tasks × counts table of a running runtime, in the terminal. It asks the
// runtime's control API (GET /api/v1/tasks and /statuses), so it works on the embedded database a
// running runtime holds as on PostgreSQL, and reads counts kept in constant time.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Io } from './io.ts'
import { EXIT, usageError } from './io.ts'
import { loadSettings } from '../settings.ts'

export const usage = `usage: blast-tasks status [--url URL] [--json] [--watch [--interval S] [--times N]]

Shows every task of the running runtime: enabled or not, its registers by status, and how far it
is (done = registers no longer \`not processed\` or \`processing\`). Asks the control API at --url
(default http://HOST:PORT, 127.0.0.1:3000); the token (BLAST_API_TOKEN, else
BLAST_DATA_DIR/api-token) is sent when there is one, for BLAST_API_READ_AUTH.

options:
  --url URL       the runtime's API (default http://$HOST:$PORT)
  --json          print the tasks as JSON and exit
  --watch         redraw every --interval seconds (default 2), with progress bars, until Ctrl-C
  --interval S    seconds between redraws with --watch
  --times N       with --watch, stop after N draws
  -h, --help      this help`

interface TaskView {
  name: string
  kind: string
  enabled: { effective: boolean }
  counts: Record<string, number>
  last_sweep_at: string | null
  next_sweep_at: string | null
}
interface StatusView { message: string; type: string }

const PENDING = new Set(['not processed', 'processing'])
const COLOUR: Record<string, string> = { blank: '90', success: '32', warning: '33', error: '31' }

export async function run (args: string[], io: Io): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        json: { type: 'boolean', default: false },
        watch: { type: 'boolean', default: false },
        interval: { type: 'string', default: '2' },
        times: { type: 'string' }
      }
    }))
  } catch (error) {
    io.err(usageError('status', usage, error))
    return EXIT.usage
  }
  const interval = Number(values.interval)
  const times = values.times === undefined ? Infinity : Number(values.times)
  if (!(interval > 0) || !(times >= 1)) {
    io.err(usageError('status', usage, new Error('--interval must be a positive number of seconds and --times a positive integer')))
    return EXIT.usage
  }
  const settings = loadSettings()
  const base = (values.url ?? `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${settings.port}`).replace(/\/+$/, '')
  const tokenFile = join(settings.dataDir, 'api-token')
  const token = settings.apiToken ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : null)
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR

  const fetchJson = async (path: string) => {
    const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    const body = await res.json() as { items?: unknown; code?: string; message?: string }
    if (!res.ok) throw new Error(`${res.status} ${body.code ?? ''} ${body.message ?? ''}`.trim())
    return body.items
  }
  const read = async () => {
    const [tasks, statuses] = await Promise.all([fetchJson('/api/v1/tasks'), fetchJson('/api/v1/statuses')])
    return { tasks: tasks as TaskView[], statuses: statuses as StatusView[] }
  }

  for (let draw = 1; ; draw++) {
    let data
    try {
      data = await read()
    } catch (error) {
      io.err(`blast-tasks status: cannot read ${base}/api/v1/tasks: ${(error as Error).message}${(error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}\n` +
        'is the runtime running with its API? (--url to point elsewhere)')
      return EXIT.failed
    }
    if (values.json) {
      io.out(JSON.stringify({ url: base, tasks: data.tasks.map(t => ({ name: t.name, kind: t.kind, enabled: t.enabled.effective, counts: t.counts, last_sweep_at: t.last_sweep_at, next_sweep_at: t.next_sweep_at })) }, null, 2))
      return EXIT.ok
    }
    const text = table(data.tasks, new Map(data.statuses.map(s => [s.message, s.type])), { colour, bars: values.watch })
    io.out((values.watch && colour ? '\x1b[2J\x1b[H' : '') + (values.watch ? `${base} · ${new Date().toLocaleTimeString()}\n` : '') + text)
    if (!values.watch || draw >= times) return EXIT.ok
    await new Promise(resolve => setTimeout(resolve, interval * 1000))
  }
}

/** the tasks × counts table; with bars, a progress bar of done registers per transient task */
export function table (tasks: readonly TaskView[], types: ReadonlyMap<string, string>, options: { colour: boolean; bars: boolean }): string {
  const paint = (text: string, status: string) => options.colour ? `\x1b[${COLOUR[types.get(status) ?? 'blank'] ?? '0'}m${text}\x1b[0m` : text
  const rows = tasks.map(t => {
    const total = Object.values(t.counts).reduce((a, b) => a + b, 0)
    const done = Object.entries(t.counts).filter(([s]) => !PENDING.has(s)).reduce((a, [, n]) => a + n, 0)
    const counts = Object.entries(t.counts).sort(([a], [b]) => a.localeCompare(b))
    return {
      name: t.name,
      enabled: t.enabled.effective ? 'on' : 'off',
      progress: t.kind === 'system' ? 'system' : `${done}/${total}`,
      bar: t.kind === 'system' || total === 0 ? '' : bar(done / total),
      counts: counts.map(([s, n]) => paint(`${s}: ${n}`, s)).join('  ')
    }
  })
  const w = {
    name: Math.max(4, ...rows.map(r => r.name.length)),
    progress: Math.max(4, ...rows.map(r => r.progress.length))
  }
  const head = `${'TASK'.padEnd(w.name)}  ${'ENABLED'}  ${'DONE'.padEnd(w.progress)}  ${options.bars ? `${''.padEnd(22)}  ` : ''}COUNTS`
  const lines = rows.map(r => `${r.name.padEnd(w.name)}  ${r.enabled.padEnd(7)}  ${r.progress.padEnd(w.progress)}  ${options.bars ? `${r.bar.padEnd(22)}  ` : ''}${r.counts}`)
  return [head, ...lines].join('\n')
}

function bar (fraction: number): string {
  const width = 14
  const full = Math.round(fraction * width)
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`
}
