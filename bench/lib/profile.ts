// Summaries of what a profiled runtime spent its time on: the top self-time functions of a V8 CPU
// profile (node --cpu-prof), where its time went by package, and the slowest SQL statements
// (bench/lib/instrument.ts).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './child.ts'
import { dec, int } from './stats.ts'

interface CpuNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface CpuProfile { nodes: CpuNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface ProfileSummary {
  readonly totalMs: number
  /** busy = everything but (idle) */
  readonly busyMs: number
  readonly top: ReadonlyArray<{ fn: string; where: string; selfMs: number; percentOfBusy: number }>
  readonly byPackage: ReadonlyArray<{ part: string; selfMs: number; percentOfBusy: number }>
}

/** in a process under bench/lib/instrument.ts: the measured part starts now (a no-op otherwise) */
export function markMeasured (): void {
  (globalThis as { __benchMeasure?: () => void }).__benchMeasure?.()
}

function where (url: string, line: number): string {
  if (!url) return ''
  const path = url.replace(/^file:\/\//, '')
  const inModules = path.lastIndexOf('/node_modules/')
  const shown = inModules >= 0 ? path.slice(inModules + '/node_modules/'.length) : path.startsWith(ROOT) ? path.slice(ROOT.length) : path
  return `${shown}:${line + 1}`
}

/** which part of the program a frame belongs to: a package, our runtime, or node itself */
function part (url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)'
  if (url.startsWith('node:')) return 'node internals'
  const path = url.replace(/^file:\/\//, '')
  const inModules = path.lastIndexOf('/node_modules/')
  if (inModules >= 0) {
    const rest = path.slice(inModules + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (path.startsWith(ROOT)) {
    const rel = path.slice(ROOT.length)
    return rel.startsWith('runtime/') ? `blast-tasks ${rel.split('/').slice(0, -1).join('/') || 'runtime'}` : rel
  }
  return path
}

/** fromUs: ignore the samples before this monotonic time (the start-up), as statements.resetAtUs */
export function summarizeProfile (file: string, fromUs: number | null = null, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const self = new Map<number, number>()
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0
    if (fromUs !== null && at < fromUs) continue
    const delta = profile.timeDeltas[i + 1] ?? 0
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + delta)
  }
  const byFn = new Map<string, { fn: string; where: string; us: number }>()
  const byPart = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0
    if (!us) continue
    total += us
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)') {
      idle += us
      continue
    }
    const fn = functionName || '(anonymous)'
    const at = where(url, lineNumber)
    const key = `${fn}\u0000${at}`
    const entry = byFn.get(key) ?? { fn, where: at, us: 0 }
    entry.us += us
    byFn.set(key, entry)
    const p = part(url, fn)
    byPart.set(p, (byPart.get(p) ?? 0) + us)
  }
  const busy = total - idle
  const pct = (us: number) => Math.round(us / busy * 1000) / 10
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    top: [...byFn.values()].sort((a, b) => b.us - a.us).slice(0, topN)
      .map(e => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, percentOfBusy: pct(e.us) })),
    byPackage: [...byPart].sort((a, b) => b[1] - a[1]).slice(0, 10)
      .map(([name, us]) => ({ part: name, selfMs: us / 1000, percentOfBusy: pct(us) }))
  }
}

export interface StatementRow { statement: string; calls: number; totalMs: number; meanMs: number; maxMs: number }

export function readStatements (file: string, topN = 12): { resetAtUs: number | null; rows: StatementRow[] } {
  if (!existsSync(file)) return { resetAtUs: null, rows: [] }
  const { resetAtUs, rows } = JSON.parse(readFileSync(file, 'utf8')) as { resetAtUs: number | null; rows: StatementRow[] }
  return { resetAtUs, rows: rows.slice(0, topN) }
}

/** the profile and the statements of one profiled process, from the start of its measured part */
export function readProfile (dir: string, name: string): { summary: ProfileSummary; statements: StatementRow[] } {
  const { resetAtUs, rows } = readStatements(join(dir, `${name}.statements.json`))
  return { summary: summarizeProfile(join(dir, `${name}.cpuprofile`), resetAtUs), statements: rows }
}

/** the summary as indented lines for the report */
export function profileLines (title: string, summary: ProfileSummary, statements: readonly StatementRow[]): string[] {
  const lines = [`${title}: ${int(summary.busyMs)} ms busy of ${int(summary.totalMs)} ms sampled`]
  lines.push('  by part: ' + summary.byPackage.map(p => `${p.part} ${dec(p.percentOfBusy)}%`).join(', '))
  lines.push('  top self time:')
  for (const f of summary.top.slice(0, 10)) lines.push(`    ${dec(f.percentOfBusy).padStart(5)}%  ${f.fn}  ${f.where}`)
  if (statements.length) {
    lines.push('  statements (client-side, total ms / calls / mean ms):')
    for (const s of statements.slice(0, 10)) {
      lines.push(`    ${int(s.totalMs).padStart(7)}  ${String(s.calls).padStart(6)}  ${s.meanMs.toFixed(2).padStart(6)}  ${s.statement}`)
    }
  }
  return lines
}
