// The status store: transients, their per-task registers, run history, and the manifest as last
// applied. A status changes in one of two ways, each of which locks the transient's registers,
// decides the writes, re-evaluates readiness and progress from the graph, and writes it all in one
// transaction — so `ready` (what sweeps and pushes act on) never goes stale: completeRuns() for run
// results (one call of migration 008's complete_runs(), deciding in the database), transition() for
// everything else (the caller decides in JavaScript).
import { createHash } from 'node:crypto'
import type { Db } from './database.ts'
import { SETTLING, evaluate, type Plan } from './plan.ts'
import { storeSql, transientListQuery, type StoreSql } from './sql.ts'
import type { RunCause, TransientFilter } from './control.ts'
import { BlastInvalidCursor } from './errors.ts'
import { TRANSIENT_NAME_PATTERN, isDateTime } from './transient-rules.ts'
import { BUILTIN_STATUSES, type TransientInput } from './types.ts'
import type { TransientRow } from './plugin-io.ts'

export interface Register {
  id: number
  name: string
  public_timestamp: Date | null
  task: string
  status: string
  ready: boolean
  owner: string | null
  attempts: number
  started_at: Date | null
}

export interface StatusWrite {
  id: number
  task: string
  status: string
  durationMs?: number | null
  /** present → replaces the stored output */
  output?: { value: unknown }
  lastError?: string | null
  attempts?: number
  /** why the register, ready again after this write, is to run (recovery, api, cli) */
  cause?: RunCause
}

export interface HistoryRow {
  transient: string | null
  task: string
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  status: string
  error: string | null
  stack: string | null
  attempt: number
  worker: string | null
  cause: RunCause
  action: string | null
  output: unknown
}

export interface Decision {
  writes: StatusWrite[]
  history: HistoryRow[]
}

/** a register that became ready in a transition: the caller queues it */
export interface ReadyRef {
  id: number
  /** the transient's name: ties of public_timestamp are queued in name order */
  name: string
  task: string
  public_timestamp: Date | null
}

/**
 * A run's end as complete_runs() writes it: its history row (attempt: the claim's; the register is
 * written only while it is still that claim) and the register's new state.
 */
export interface RunResult extends HistoryRow {
  id: number
  /** `output` replaces the stored output */
  set_output: boolean
  /** a released run: its attempt not counted */
  attempts: number | null
  /** a retry: why it runs next, and in how many seconds */
  next_cause: RunCause | null
  due_seconds: number | null
}

/** which registers made ready a result's call claims at once: of tasks, at most maxPerTask of one, maxTasks tasks */
export interface ClaimLimits { tasks: string[]; maxPerTask: number; maxTasks: number }

/** a claimed register: the transient as a plugin's view is built from it (every other task's state) */
export interface ClaimedRow extends TransientRow {
  id: number
  attempts: number
  /** claimed from the backlog: why it was to run (`sweep` when nothing else put it there) */
  cause?: RunCause
}

/** where a page of ready registers ends, in claim order */
export interface ReadyCursor { order_at: Date | string; order_name: string }

/** the NOTIFY channel on which migration 006's trigger names the tasks whose registers became ready */
export function readyChannel (schema: string): string {
  return `blast_ready_${createHash('md5').update(schema).digest('hex').slice(0, 16)}`
}

export class Store {
  readonly db: Db
  readonly schema: string
  readonly sql: StoreSql

  constructor (db: Db, schema: string) {
    this.db = db
    this.schema = schema
    this.sql = storeSql(schema)
    // the run path's and the ingest's statements: parsed once per connection, not at every call
    const { claim, claimReady, readyWaiting, completeRuns, lockRegisters, writeTransition, transientIdsByName, insertTransients, insertRegisters } = this.sql
    db.prepare({ claim, claimReady, readyWaiting, completeRuns, lockRegisters, writeTransition, transientIdsByName, insertTransients, insertRegisters })
  }

  // ---- manifest reconciliation ----

  /** records the plan's statuses and tasks; returns the transient tasks that were not in the last manifest */
  async recordManifest (plan: Plan): Promise<{ added: string[]; removed: string[] }> {
    const { manifest } = plan
    return this.db.transaction(async tx => {
      const before = new Set((await tx.query<{ name: string }>(this.sql.tasksInManifest)).map(row => row.name))
      await tx.query(this.sql.upsertStatuses, [JSON.stringify(manifest.statuses)])
      await tx.query(this.sql.retireStatuses, [manifest.statuses.map(status => status.message)])
      await tx.query(this.sql.upsertTasks, [JSON.stringify(manifest.tasks.map(task => ({
        name: task.name, kind: task.kind, enabled: task.enabled, definition: task
      })))])
      const names = manifest.tasks.map(task => task.name)
      await tx.query(this.sql.retireTasks, [names])
      const added = plan.transientTasks.map(planned => planned.name).filter(name => !before.has(name))
      // Every existing transient gets a `not processed` register for a new task: no migration, ever.
      if (added.length) await tx.query(this.sql.backfill, [added])
      return { added, removed: [...before].filter(name => !plan.tasks.has(name)) }
    })
  }

  async getMeta<T> (key: string): Promise<T | undefined> {
    const rows = await this.db.query<{ value: T }>(this.sql.getMeta, [key])
    return rows[0]?.value
  }

  async setMeta (key: string, value: unknown): Promise<void> {
    await this.db.query(this.sql.setMeta, [key, JSON.stringify(value)])
  }

  /** re-evaluates readiness and progress of every transient, a page at a time; returns what became ready */
  async refreshAll (plan: Plan, onReady: (ready: ReadyRef[]) => Promise<void>, pageSize = 500): Promise<number> {
    let after = 0
    let count = 0
    for (;;) {
      const ids = (await this.db.query<{ id: number }>(this.sql.transientIdPage, [after, pageSize])).map(row => row.id)
      if (!ids.length) return count
      count += ids.length
      // what the graph makes ready here was not pushed: it runs from the backlog (`sweep`)
      await onReady(await this.transition(plan, ids, () => NOTHING, null))
      after = ids[ids.length - 1]
    }
  }

  // ---- the two ways statuses change ----

  /**
   * The general transition (a release, a reset, a recovery, a re-evaluation; a run's result goes
   * through completeRuns, which decides the same in the database).
   * `readyCause`: recorded on the registers this transition makes ready through their prerequisites,
   * while their task is enabled (`push`: whichever process claims them, they run because of this
   * transition); null leaves them to run as `sweep`.
   */
  async transition (plan: Plan, ids: readonly number[], decide: (registers: Register[]) => Decision, readyCause: RunCause | null = 'push'): Promise<ReadyRef[]> {
    if (!ids.length) return []
    return this.db.transaction(async tx => {
      const registers = await tx.query<Register>(this.sql.lockRegisters, [ids])
      const { writes, history } = decide(registers)
      const written = new Map(writes.map(write => [`${write.id}\u0000${write.task}`, write]))
      const byTransient = new Map<number, Register[]>()
      for (const register of registers) groupInto(byTransient, register.id, register)
      const updates: object[] = []
      const progress: object[] = []
      const ready: ReadyRef[] = []
      for (const [id, list] of byTransient) {
        const status = new Map(list.map(register => [register.task, written.get(`${id}\u0000${register.task}`)?.status ?? register.status]))
        const evaluation = evaluate(plan, task => status.get(task))
        progress.push({ id, progress: evaluation.progress, processing_status: evaluation.processingStatus })
        for (const register of list) {
          const write = written.get(`${id}\u0000${register.task}`)
          const nowReady = evaluation.ready.has(register.task)
          if (nowReady && !register.ready) ready.push({ id, name: register.name, task: register.task, public_timestamp: register.public_timestamp })
          if (!write && nowReady === register.ready) continue
          updates.push(write
            ? {
                id, task: register.task, ready: nowReady, status: write.status, duration_ms: write.durationMs ?? null,
                set_output: write.output !== undefined, output: write.output?.value ?? null,
                last_error: write.lastError ?? null, attempts: write.attempts ?? null,
                cause: write.cause ?? null
              }
            : { id, task: register.task, ready: nowReady })
        }
      }
      await tx.query(this.sql.writeTransition, [JSON.stringify(updates), JSON.stringify(progress), JSON.stringify(history), readyCause])
      return ready
    })
  }

  /**
   * A batch of run results in one call (migration 008's complete_runs): each result still owning its
   * register is written, readiness and progress re-evaluated, every result's history recorded, and the
   * registers made ready that `claim` allows claimed for `owner` in the same statement. Returns the
   * registers made ready and due that it left to the lanes, and those it claimed, by task.
   */
  async completeRuns (plan: Plan, results: readonly RunResult[], owner: string, discarded: string, claim: ClaimLimits):
  Promise<{ ready: ReadyRef[]; claimed: Map<string, ClaimedRow[]> }> {
    const rows = await this.db.query<ClaimedRow & { task: string; claimed: boolean }>(this.sql.completeRuns,
      [JSON.stringify(results), planJson(plan), owner, discarded, claim.tasks, claim.maxPerTask, claim.maxTasks])
    const ready: ReadyRef[] = []
    const claimed = new Map<string, ClaimedRow[]>()
    for (const { claimed: isClaimed, task, ...row } of rows) {
      if (isClaimed) groupInto(claimed, task, row)
      else ready.push({ id: row.id, name: row.name, task, public_timestamp: row.public_timestamp })
    }
    return { ready, claimed }
  }

  /** explicit: ids an explicit run asked for, claimed even while the task is disabled */
  async claim (task: string, ids: readonly number[], owner: string, explicit: readonly number[] = []): Promise<ClaimedRow[]> {
    return this.db.query<ClaimedRow>(this.sql.claim, [task, ids, owner, explicit])
  }

  /** claims up to `limit` of the task's oldest ready, due registers (none while it is disabled) */
  async claimReady (task: string, owner: string, limit: number): Promise<ClaimedRow[]> {
    return this.db.query<ClaimedRow>(this.sql.claimReady, [task, owner, limit])
  }

  /** ready, due registers of an enabled task remain (a claim passed over those it found locked) */
  async readyWaiting (task: string): Promise<boolean> {
    return (await this.db.query<{ waiting: boolean }>(this.sql.readyWaiting, [task]))[0]?.waiting === true
  }

  /** ready registers of a task in claim order, a page at a time after `after` (null: from the start) */
  async readyPage (task: string, after: ReadyCursor | null, limit: number): Promise<Array<ReadyRef & ReadyCursor>> {
    const rows = await this.db.query<ReadyRef & ReadyCursor>(this.sql.readyPage, [task, after?.order_at ?? '-infinity', after?.order_name ?? '', limit])
    return rows.map(row => ({ ...row, task }))
  }

  /** records why ready registers of a task are to run (all of them, or those of `ids`); returns how many it marked */
  async markCause (task: string, cause: RunCause, ids: readonly number[] | null): Promise<number> {
    return (await this.db.query(this.sql.markCause, [task, cause, ids])).length
  }

  /** the tasks that run now (in the manifest, enabled) */
  async enabledTasks (): Promise<Set<string>> {
    return new Set((await this.db.query<{ name: string }>(this.sql.enabledTasks)).map(row => row.name))
  }


  // ---- workers ----

  async registerWorker (id: string, host: string, pid: number): Promise<void> {
    await this.db.query(this.sql.registerWorker, [id, host, pid])
  }

  /** false when the row was gone (pruned while this process was frozen): the caller re-registers */
  async heartbeat (id: string): Promise<boolean> {
    const rows = await this.db.query(this.sql.heartbeat + ' RETURNING id', [id])
    return rows.length > 0
  }

  async removeWorker (id: string): Promise<void> {
    await this.db.query(this.sql.removeWorker, [id])
  }

  async liveWorkers (leaseSeconds: number): Promise<Set<string>> {
    await this.db.query(this.sql.pruneWorkers)
    return new Set((await this.db.query<{ id: string }>(this.sql.liveWorkers, [leaseSeconds])).map(row => row.id))
  }

  /** the other live processes, as `worker id (host pid n)` */
  async livePeers (leaseSeconds: number, self: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string; host: string; pid: number }>(this.sql.livePeers, [leaseSeconds, self])
    return rows.map(row => `${row.id} (host ${row.host}, pid ${row.pid})`)
  }

  /** transients with a claim whose owner is gone or that outlived its task's timeout */
  async lostClaims (leaseSeconds: number, timeouts: Record<string, number>): Promise<number[]> {
    return (await this.db.query<{ id: number }>(this.sql.lostClaims, [leaseSeconds, JSON.stringify(timeouts)])).map(row => row.id)
  }

  async claimsOf (owner: string): Promise<number[]> {
    return (await this.db.query<{ id: number }>(this.sql.claimsOf, [owner])).map(row => row.id)
  }

  // ---- counts (migration 005) ----

  /**
   * Folds the count deltas the triggers appended into task_count, so a count read stays a handful of
   * rows. One process folds at a time; another finding the lock held skips (0).
   */
  async foldCounts (): Promise<number> {
    return this.db.transaction(async tx => {
      const [lock] = await tx.query<{ locked: boolean }>(this.sql.countsLock, [`blast-tasks:counts:${this.schema}`])
      if (!lock?.locked) return 0
      const [row] = await tx.query<{ n: number }>(this.sql.foldCounts)
      return row?.n ?? 0
    })
  }

  // ---- system tasks ----

  /** true when this call fired the period starting at slot (no process did before) */
  async fireSystem (task: string, slot: Date): Promise<boolean> {
    return (await this.db.query(this.sql.fireSystem, [task, slot.toISOString()])).length > 0
  }

  /** the attempt this claim starts, or null: the task runs elsewhere, or its retry is not due */
  async claimSystem (task: string, owner: string): Promise<number | null> {
    const [row] = await this.db.query<{ attempts: number }>(this.sql.claimSystem, [task, owner])
    return row ? row.attempts : null
  }

  /**
   * ends a system run and records it in one transaction; retryInSeconds makes it due again then.
   * false when this process no longer owned it (the reaper took it back): nothing is written.
   */
  async endSystem (task: string, owner: string, retryInSeconds: number | null, row: HistoryRow): Promise<boolean> {
    return this.db.transaction(async tx => {
      if (!(await tx.query(this.sql.endSystem, [task, owner, retryInSeconds])).length) return false
      await tx.query(this.sql.insertRuns, [JSON.stringify([row])])
      return true
    })
  }

  async runningSystem (): Promise<Array<{ task: string; owner: string | null; attempts: number; started_at: Date | null }>> {
    return this.db.query(this.sql.runningSystem)
  }

  async overdueSystem (leaseSeconds: number): Promise<string[]> {
    return (await this.db.query<{ task: string }>(this.sql.overdueSystem, [leaseSeconds])).map(row => row.task)
  }

  /** takes a dead owner's system run back and records it; false when it ended meanwhile */
  async recoverSystem (task: string, owner: string | null, giveUp: boolean, row: HistoryRow): Promise<boolean> {
    return this.db.transaction(async tx => {
      if (!(await tx.query(this.sql.recoverSystem, [task, owner, giveUp])).length) return false
      await tx.query(this.sql.insertRuns, [JSON.stringify([row])])
      return true
    })
  }

  // ---- transients ----

  /** creates transients that do not exist yet, with a register per transient task, evaluated */
  async insertTransients (plan: Plan, inputs: readonly TransientInput[], options: { rejectDuplicates: boolean }):
  Promise<{ created: Array<{ id: number; name: string }>; existing: string[]; ready: ReadyRef[] }> {
    return this.db.transaction(async tx => {
      const existing = (await tx.query<{ name: string }>(this.sql.transientIdsByName, [inputs.map(input => input.name)])).map(row => row.name)
      if (existing.length && options.rejectDuplicates) return { created: [], existing, ready: [] }
      const known = new Set(existing)
      const fresh = inputs.filter(input => !known.has(input.name))
      if (!fresh.length) return { created: [], existing, ready: [] }
      // every new transient is the same to the graph (each task `not processed`): evaluated once, and
      // its registers written ready from the start, in the inserts themselves
      const start = evaluate(plan, () => undefined)
      const created = await tx.query<{ id: number; name: string; public_timestamp: Date | null }>(this.sql.insertTransients,
        [JSON.stringify(fresh.map(normalize)), start.progress, start.processingStatus])
      const tasks = plan.transientTasks.map(planned => planned.name)
      await tx.query(this.sql.insertRegisters, [created.map(row => row.id), tasks, tasks.map(task => start.ready.has(task))])
      const ready = created.flatMap(row => tasks.filter(task => start.ready.has(task))
        .map(task => ({ id: row.id, name: row.name, task, public_timestamp: row.public_timestamp })))
      return { created: created.map(({ id, name }) => ({ id, name })), existing, ready }
    })
  }

  /** updates fields of existing transients; returns the names that changed */
  /**
   * A page of transients in the documented order (oldest public_timestamp first, name on ties, none
   * last), filtered by processing status, and by a task, a status and a status type (any of its
   * registers matching all that are given). Rows are as the database reads them, plus their id.
   */
  async transientPage<R extends { name: string }> (plan: Plan, filter: TransientFilter, limit: number):
  Promise<{ rows: R[]; nextCursor: string | null }> {
    const after = filter.cursor === undefined ? null : decodeTransientCursor(filter.cursor)
    // no task or status holds U+0000 (the manifest forbids control characters), and PostgreSQL refuses it as text
    if (filter.task?.includes('\u0000') || filter.status?.includes('\u0000')) return { rows: [], nextCursor: null }
    const ofType = filter.status_type === undefined
      ? null
      : [...plan.statusTypes].filter(([, type]) => type === filter.status_type).map(([message]) => message)
    const { text, values } = transientListQuery(this.schema, {
      after,
      processingStatus: filter.processing_status ?? null,
      task: filter.task ?? null,
      status: filter.status ?? null,
      statuses: ofType,
      limit: limit + 1
    })
    const rows = await this.db.query<R & { order_at: string | null }>(text, values)
    const page = rows.slice(0, limit)
    const last = page[page.length - 1]
    const nextCursor = rows.length > limit ? encodeCursor(JSON.stringify([last.order_at, last.name])) : null
    for (const row of page) delete (row as { order_at?: unknown }).order_at
    return { rows: page, nextCursor }
  }

  async updateTransients (inputs: readonly TransientInput[]): Promise<string[]> {
    if (!inputs.length) return []
    return (await this.db.query<{ name: string }>(this.sql.updateTransients, [JSON.stringify(inputs.map(normalize))])).map(row => row.name)
  }
}

/**
 * The history row of a status the runtime set without a run (recovery, release, operator reset):
 * from the claim it ended (or now) to now, no duration, no output.
 */
export function actionRow (register: Register, fields: {
  status: string; error: string | null; worker: string | null; cause: RunCause; action: string; fromClaim: boolean
}): HistoryRow {
  const now = new Date().toISOString()
  return {
    transient: register.name,
    task: register.task,
    started_at: (fields.fromClaim && register.started_at?.toISOString()) || now,
    finished_at: now,
    duration_ms: null,
    status: fields.status,
    error: fields.error,
    stack: null,
    attempt: register.attempts,
    worker: fields.worker,
    cause: fields.cause,
    action: fields.action,
    output: null
  }
}

// ---- cursors: opaque to clients, checked strictly when they come back ----

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,400}$/
const ORDER_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
const TRANSIENT_NAME = new RegExp(TRANSIENT_NAME_PATTERN)

const encodeCursor = (text: string) => Buffer.from(text).toString('base64url')

/** the text a cursor encodes; base64url that does not round-trip (stray characters, padding) is refused */
function cursorText (cursor: string): string {
  const text = CURSOR_TEXT.test(cursor) ? Buffer.from(cursor, 'base64url').toString() : null
  if (text === null || encodeCursor(text) !== cursor) throw invalidCursor(cursor)
  return text
}

function invalidCursor (cursor: string) {
  const shown = cursor.length > 60 ? `${cursor.slice(0, 60)}…` : cursor
  return new BlastInvalidCursor(JSON.stringify(shown).slice(1, -1))
}

/** a transients cursor: the last row's order key (null: no public_timestamp) and name */
export function decodeTransientCursor (cursor: string): { orderAt: string | null; name: string } {
  let key: unknown
  try {
    key = JSON.parse(cursorText(cursor))
  } catch {
    throw invalidCursor(cursor)
  }
  if (!Array.isArray(key) || key.length !== 2) throw invalidCursor(cursor)
  const [orderAt, name] = key as unknown[]
  const orderOk = orderAt === null || (typeof orderAt === 'string' && ORDER_AT.test(orderAt) && isDateTime(orderAt))
  if (!orderOk || typeof name !== 'string' || !TRANSIENT_NAME.test(name)) throw invalidCursor(cursor)
  return { orderAt: orderAt as string | null, name }
}

export function encodeRunCursor (id: string): string {
  return encodeCursor(id)
}

/** a runs cursor: the id of the last run of the page (runs are listed newest first) */
export function decodeRunCursor (cursor: string): string {
  const id = cursorText(cursor)
  if (!/^[1-9]\d{0,17}$/.test(id)) throw invalidCursor(cursor)
  return id
}

const PLAN_JSON = new WeakMap<Plan, string>()

/** the graph as migration 008's evaluate() reads it: the same rules as plan.ts evaluate() */
export function planJson (plan: Plan): string {
  let json = PLAN_JSON.get(plan)
  if (json === undefined) {
    json = JSON.stringify({
      tasks: plan.transientTasks.map(planned => ({ n: planned.name, p: Object.entries(planned.task.prerequisites) })),
      settling: [...SETTLING],
      errors: [...plan.statusTypes].filter(([, type]) => type === 'error').map(([message]) => message),
      np: BUILTIN_STATUSES.notProcessed
    })
    PLAN_JSON.set(plan, json)
  }
  return json
}

/** adds value to the list of key in groups */
export function groupInto<K, T> (groups: Map<K, T[]>, key: K, value: T): void {
  const list = groups.get(key)
  if (list) list.push(value)
  else groups.set(key, [value])
}

export const NOTHING: Decision = Object.freeze({ writes: [], history: [] }) as Decision

function normalize (input: TransientInput) {
  return {
    name: input.name,
    ra_deg: input.ra_deg,
    dec_deg: input.dec_deg,
    // as JavaScript reads it, normalised to UTC (the rules checked it: a date that exists, years 1 to 9999)
    public_timestamp: input.public_timestamp == null ? null : new Date(input.public_timestamp).toISOString(),
    redshift: input.redshift ?? null,
    data: input.data ?? {}
  }
}
