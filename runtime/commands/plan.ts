// `blast-tasks plan [path]`: what applying a manifest would do, against the database the runtime
// uses — nothing is written. Also home of how the CLI reaches that database: through the operations
// (operations.ts) over it, or, when a running runtime holds the embedded one, through that
// runtime's control API.
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import { TOKEN_FILE } from '../api/token.ts'
import { displayPath } from '../manifest/diagnostics.ts'
import { formatDiagnostic, loadManifest } from '../manifest/index.ts'
import { Operations, type OpenedOperations } from '../operations.ts'
import { compile } from '../plan.ts'
import { planChanges, type ManifestChanges } from '../planner.ts'
import { loadSettings, type Settings } from '../settings.ts'
import type { Diagnostic } from '../types.ts'

export const usage = `usage: blast-tasks plan [path] [--json]

Compares a manifest (default BLAST_MANIFEST or ./blast.tasks.yaml) with what the database last
applied and prints what applying it would do: tasks added (and how many transients each
backfills), removed, rewired, re-timed, enabled or disabled, other changed fields and statuses,
and which transients would become eligible. Nothing is written. Exit code 1 when the manifest has
errors or the database cannot be read.

The database is the runtime's: DATABASE_URL (and BLAST_SCHEMA), else the embedded one in
BLAST_DATA_DIR (./.blast). While a runtime holds the embedded database, plan asks that runtime
instead: POST /api/v1/manifest/plan on HOST:PORT, with BLAST_API_TOKEN or <data dir>/api-token.

options:
  --json        print the changes as JSON (the API's answer: {ok, diagnostics, changes})
  -h, --help    this help`

export async function run (args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
  } catch (error) {
    io.err(usageError('plan', usage, error))
    return EXIT.usage
  }
  if (parsed.positionals.length > 1) {
    io.err(usageError('plan', usage, `one manifest at a time; got ${parsed.positionals.length}`))
    return EXIT.usage
  }
  const settings = loadSettings()
  const file = parsed.positionals[0] ?? settings.manifest
  const { manifest, diagnostics } = await loadManifest(file)
  const json = parsed.values.json
  if (!manifest) {
    if (json) io.out(JSON.stringify({ ok: false, diagnostics: diagnostics.map(jsonDiagnostic), changes: null }, null, 2))
    else for (const d of diagnostics) io.err(formatDiagnostic(d))
    return EXIT.failed
  }
  if (!json) for (const d of diagnostics) io.err(formatDiagnostic(d))

  const target = await connect(settings)
  let changes: ManifestChanges
  let where: string
  try {
    if (target.kind === 'api') {
      const answer = await planThroughApi(target, await readFile(file, 'utf8'))
      if (!answer.ok || !answer.changes) {
        for (const d of answer.diagnostics) io.err(d.text)
        return EXIT.failed
      }
      changes = answer.changes
    } else {
      changes = target.kind === 'db'
        ? await target.control.planAgainst(compile(manifest))
        : planChanges(null, compile(manifest), { graphHash: null, transients: 0, registers: new Map(), overrides: new Map(), eligible: new Map() })
    }
    where = target.where
  } catch (error) {
    io.err(`blast-tasks plan: ${(error as Error).message}`)
    return EXIT.failed
  } finally {
    if (target.kind === 'db') await target.control.close()
  }
  if (json) io.out(JSON.stringify({ ok: true, diagnostics: diagnostics.map(jsonDiagnostic), changes }, null, 2))
  else io.out(formatChanges(changes, `${displayPath(manifest.file)} against ${where}`))
  return EXIT.ok
}

function jsonDiagnostic (d: Diagnostic) {
  return { ...d, text: formatDiagnostic(d) }
}

// ---- reaching the runtime's database ----

export type Target =
  | { kind: 'db'; control: OpenedOperations; where: string }
  | { kind: 'api'; base: string; token: string | null; where: string; holder: string }
  | { kind: 'none'; where: string }

/**
 * The operations over the runtime's database (opened and migrated). An embedded database that does
 * not exist yet is not created (`none`); one that a running runtime holds is reached through that
 * runtime's API (`api`).
 */
export async function connect (settings: Settings): Promise<Target> {
  if (settings.databaseUrl) {
    try {
      return { kind: 'db', control: await Operations.open(settings), where: `PostgreSQL (schema ${settings.schema})` }
    } catch (error) {
      throw new Error(`cannot use the database of DATABASE_URL: ${(error as Error).message}`, { cause: error })
    }
  }
  const shown = displayPath(settings.dataDir)
  if (!existsSync(join(settings.dataDir, 'pgdata'))) return { kind: 'none', where: `the embedded database in ${shown} (not created yet)` }
  try {
    return { kind: 'db', control: await Operations.open(settings), where: `the embedded database in ${shown}` }
  } catch (error) {
    if ((error as { code?: string }).code !== 'BLAST_DATA_DIR_LOCKED') throw error
    const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host
    const base = `http://${host.includes(':') ? `[${host}]` : host}:${settings.port}`
    return { kind: 'api', base, token: await apiToken(settings), where: `the running runtime at ${base}`, holder: (error as Error).message }
  }
}

async function apiToken (settings: Settings): Promise<string | null> {
  if (settings.apiToken) return settings.apiToken
  try {
    return (await readFile(join(settings.dataDir, TOKEN_FILE), 'utf8')).trim() || null
  } catch {
    return null
  }
}

/** a fetch of the running runtime's API; a refused connection says why the API was asked at all */
export async function callApi (target: Extract<Target, { kind: 'api' }>, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (target.token) headers.set('authorization', `Bearer ${target.token}`)
  try {
    return await fetch(`${target.base}${path}`, { ...init, headers })
  } catch (error) {
    throw new Error(`${target.holder}\n(and its API at ${target.base} did not answer: ${(error as Error).cause ?? (error as Error).message}; ` +
      'set HOST and PORT as the runtime has them)', { cause: error })
  }
}

async function planThroughApi (target: Extract<Target, { kind: 'api' }>, text: string):
Promise<{ ok: boolean; diagnostics: Array<{ text: string }>; changes: ManifestChanges | null }> {
  const response = await callApi(target, '/api/v1/manifest/plan', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: text })
  const body = await response.json() as { message?: string }
  if (!response.ok) throw new Error(`POST ${target.base}/api/v1/manifest/plan answered ${response.status}: ${body.message ?? JSON.stringify(body)}`)
  return body as { ok: boolean; diagnostics: Array<{ text: string }>; changes: ManifestChanges | null }
}

// ---- the human form ----

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const flow = (record: Readonly<Record<string, string>>) => {
  const entries = Object.entries(record)
  return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${v}`).join(', ')} }` : '{}'
}
const every = (seconds: number) => `every ${seconds} s`

/** The changes as `plan` prints them: one line per change, then the transients that become eligible. */
export function formatChanges (changes: ManifestChanges, heading: string): string {
  const lines: string[] = []
  const count = plural(changes.transients, 'transient')
  if (changes.unchanged) {
    lines.push(`${heading}: no changes; the database runs this manifest (${count})`)
  } else {
    lines.push(`${heading} (${count}${changes.applied_before ? '' : '; no manifest applied yet'}):`)
    for (const a of changes.added) {
      lines.push(a.kind === 'system'
        ? `  + add      ${a.task} (system task)${a.enabled ? '' : ', disabled'}`
        : `  + add      ${a.task}: backfills ${plural(a.backfill, 'transient')} with "not processed"${a.enabled ? '' : '; disabled'}`)
    }
    for (const r of changes.removed) {
      lines.push(`  - remove   ${r.task}: stops running${r.kind === 'transient' ? `; its ${plural(r.registers, 'register')} are kept` : ''}`)
    }
    for (const r of changes.rewired) lines.push(`  ~ rewire   ${r.task}: ${flow(r.before)} -> ${flow(r.after)}`)
    for (const r of changes.retimed) {
      lines.push(`  ~ re-time  ${r.task}: ${every(r.before)} -> ${every(r.after)}${r.cron ? ` (cron ${r.cron})` : ''}`)
    }
    for (const [verb, list] of [['enable ', changes.enabled], ['disable', changes.disabled]] as const) {
      for (const e of list) {
        const override = e.override === null ? '' : `; an operator override keeps it ${e.override ? 'enabled' : 'disabled'} (PATCH /api/v1/tasks/{task} with {"enabled": null} clears it)`
        lines.push(`  ~ ${verb}  ${e.task}${override}`)
      }
    }
    for (const c of changes.changed) {
      lines.push(c.field === 'description'
        ? `  ~ change   ${c.task}: description`
        : `  ~ change   ${c.task}: ${c.field} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`)
    }
    for (const s of changes.statuses.added) lines.push(`  + status   "${s.message}" (${s.type})`)
    for (const s of changes.statuses.removed) lines.push(`  - status   "${s}"`)
    for (const s of changes.statuses.retyped) lines.push(`  ~ status   "${s.message}": ${s.before} -> ${s.after}`)
    if (changes.graph_changed && changes.transients > 0) lines.push(`  readiness and progress of every transient are re-evaluated`)
  }
  if (changes.eligible.length) {
    lines.push('would become eligible:')
    const width = Math.max(...changes.eligible.map(e => e.task.length))
    for (const e of changes.eligible) {
      const more = e.count > e.sample.length ? ', …' : ''
      const wait = e.enabled ? '' : ' (disabled: they wait until it is enabled)'
      lines.push(`  ${e.task.padEnd(width)}  ${plural(e.count, 'transient')}${wait}: ${e.sample.join(', ')}${more}`)
    }
  } else if (!changes.unchanged && changes.transients > 0) {
    lines.push('no transient would become eligible')
  }
  return lines.join('\n')
}
