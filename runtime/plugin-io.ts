// What a plugin is given and gives back, alike for the dispatcher, `blast-tasks run` and
// blast-tasks/testing: the transient as a plugin sees it, what process() returned held to the
// contract, and what it threw as text the database can store. No I/O.
import { storableText, unstorable } from './transient-rules.ts'
import { BUILTIN_STATUSES, type StatusType, type TaskResult, type TaskState, type Transient } from './types.ts'

/** a transient as stored, with its tasks' states: what a plugin's view is built from */
export interface TransientRow {
  name: string
  ra_deg: number
  dec_deg: number
  public_timestamp: Date | null
  redshift: number | null
  data: Record<string, unknown>
  tasks: Record<string, { status: string; output: unknown }>
}

export function errorText (err: unknown): { message: string; stack: string | null } {
  // a plugin's error is stored: U+0000 and lone surrogates, which the database refuses, are replaced
  if (err instanceof Error) return { message: storableText(String(err.message)), stack: err.stack ? storableText(err.stack) : null }
  return { message: storableText(String(err)), stack: null }
}

const UNSETTLED = new Set<string>([BUILTIN_STATUSES.notProcessed, BUILTIN_STATUSES.processing])

/** holds what process() returned to the contract: a declared final status, or { status, output } with JSON output */
export function checkResult (value: TaskResult | void, system: boolean, statusTypes: ReadonlyMap<string, StatusType>): { status: string; output?: unknown } {
  const declared = () => [...statusTypes.keys()].filter(s => !UNSETTLED.has(s)).join(', ')
  let status: unknown
  let output: unknown
  if (typeof value === 'string') status = value
  else if (value && typeof value === 'object' && 'status' in value) ({ status, output } = value)
  else if (value === undefined && system) status = BUILTIN_STATUSES.processed
  else {
    throw new Error(`process() returned ${describe(value)}; it must return a declared status message or { status, output }; declared: ${declared()}`)
  }
  if (typeof status !== 'string' || !statusTypes.has(status) || UNSETTLED.has(status)) {
    throw new Error(`process() returned status ${describe(status)}, which is not a declared final status; declared: ${declared()}`)
  }
  if (output !== undefined) {
    try { JSON.stringify(output) } catch (err) { throw new Error(`process() returned an output that is not JSON: ${errorText(err).message}`) }
    if (unstorable(output)) throw new Error('process() returned an output the database cannot store (U+0000 or a lone surrogate)')
  }
  return { status, output }
}

/** What a plugin sees of a transient: the transient as stored and each task's status with its type;
 *  for a transient task's run, its own task `processing` (the dispatcher, `blast-tasks run` and
 *  ctx.transients of system tasks build it alike). */
export function transientView (row: TransientRow,
  running: string | null, statusTypes: ReadonlyMap<string, StatusType>): Transient {
  const tasks: Record<string, TaskState> = {}
  for (const [name, state] of Object.entries(row.tasks)) tasks[name] = { ...state, type: statusTypes.get(state.status) ?? 'blank' }
  if (running !== null) tasks[running] = { status: BUILTIN_STATUSES.processing, type: 'warning', output: null }
  return Object.freeze({
    name: row.name,
    ra_deg: row.ra_deg,
    dec_deg: row.dec_deg,
    public_timestamp: row.public_timestamp ? row.public_timestamp.toISOString() : null,
    redshift: row.redshift,
    data: row.data ?? {},
    tasks
  })
}

function describe (value: unknown): string {
  if (value === undefined) return 'nothing'
  if (typeof value === 'string') return JSON.stringify(value)
  try { return JSON.stringify(value) ?? String(value) } catch { return String(value) }
}
