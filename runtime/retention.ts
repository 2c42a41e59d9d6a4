// Retention: run history is pruned on an interval, by age (BLAST_HISTORY_DAYS) and by count per
// (transient, task) (BLAST_HISTORY_PER_TASK). Only history rows are deleted: a register's status,
// output and last error live in task_status and are never touched. Each batch deletes at most
// BATCH rows in its own short transaction under a try-lock, so pruning never holds locks a run or
// the API waits on for long, and of several processes one prunes while the others skip the turn.
// pg-boss's completed jobs are pg-boss's to delete (its queues' deleteAfterSeconds, set by the runtime).
// Deleted and updated rows leave space only VACUUM makes reusable: PostgreSQL's autovacuum does it, but
// the embedded database has none, so there the pruner vacuums, by autovacuum's rule, after each pass.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Db, Queryable } from './database.ts'
import type { Logger } from './logger.ts'
import { DEFAULTS } from './settings.ts'
import type { StoreSql } from './sql.ts'

export interface RetentionPolicy {
  /** runs that started longer ago than this are pruned; 0: none by age */
  readonly historyDays: number
  /** the newest this many runs of each (transient, task) are kept; 0: all */
  readonly historyPerTask: number
  /** pg-boss deletes completed jobs after this (applied to its queues by the runtime) */
  readonly bossArchiveDays: number
  /** how often a pass runs */
  readonly intervalSeconds: number
}

export const RETENTION_DEFAULTS = {
  historyDays: DEFAULTS.historyDays, historyPerTask: DEFAULTS.historyPerTask, bossArchiveDays: DEFAULTS.bossArchiveDays, intervalSeconds: 60
} as const satisfies RetentionPolicy

export interface PrunerOptions {
  db: Db
  sql: StoreSql
  schema: string
  bossSchema: string
  log: Logger
  metrics: Registry
  policy: RetentionPolicy
  /** VACUUM tables past autovacuum's threshold after each pass (the embedded database has no autovacuum) */
  vacuum: boolean
}

/** rows per batch */
export const BATCH = 1000
/** a pause between batches, so runs and the API get the database between them (PGlite has one connection) */
const PAUSE_MS = 20
/** meta key: history ids up to here have had their (transient, task) pairs cut to the newest N */
const MARK = 'history_pruned_through'

export interface PassResult { byAge: number; perTask: number; skipped: boolean }

export class Pruner {
  #o: PrunerOptions
  #timer: NodeJS.Timeout | null = null
  #running: Promise<PassResult> | null = null
  #stopped = false
  #pruned: Counter

  constructor (options: PrunerOptions) {
    this.#o = options
    const { db, sql, schema, bossSchema, metrics } = options
    this.#pruned = new Counter({
      name: 'blast_history_pruned_total', help: 'History rows deleted by retention, by rule (age, per_task)', labelNames: ['rule'], registers: [metrics]
    })
    new Gauge({
      name: 'blast_history_rows', help: 'Rows in the run history', registers: [metrics],
      collect: async function (this: Gauge) {
        const [row] = await db.query<{ n: number }>(sql.historyRows).catch(() => [])
        if (row) this.set(row.n)
      }
    })
    new Gauge({
      name: 'blast_database_bytes', help: 'On-disk size of the runtime\'s schema and pg-boss\'s (tables, indexes, TOAST)', labelNames: ['schema'],
      registers: [metrics],
      collect: async function (this: Gauge) {
        for (const name of [schema, bossSchema]) {
          const [row] = await db.query<{ bytes: string }>(sql.schemaBytes, [name]).catch(() => [])
          if (row) this.set({ schema: name }, Number(row.bytes))
        }
      }
    })
  }

  get policy (): RetentionPolicy { return this.#o.policy }

  start (): void {
    if (this.#timer || this.#stopped) return
    const { historyDays, historyPerTask, intervalSeconds } = this.#o.policy
    if (!historyDays && !historyPerTask && !this.#o.vacuum) return
    this.#timer = setInterval(() => void this.prune().catch(() => {}), intervalSeconds * 1000)
    this.#timer.unref()
  }

  /** no new pass; waits for the batch in flight (a pass stops between batches) */
  async stop (): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    await this.#running?.catch(() => {})
  }

  /** one pass now: batches until nothing is left to prune (or another process holds the turn) */
  prune (): Promise<PassResult> {
    this.#running ??= this.#pass().finally(() => { this.#running = null })
    return this.#running
  }

  async #pass (): Promise<PassResult> {
    const { historyDays, historyPerTask } = this.#o.policy
    const result: PassResult = { byAge: 0, perTask: 0, skipped: false }
    try {
      if (historyDays > 0) {
        for (;;) {
          const n = await this.#batch(tx => this.#byAge(tx, historyDays * 86400))
          if (n === null) return { ...result, skipped: true }
          result.byAge += n
          this.#pruned.inc({ rule: 'age' }, n)
          if (n < BATCH || this.#stopped) break
          await pause()
        }
      }
      if (historyPerTask > 0) {
        for (;;) {
          const step = await this.#batch(tx => this.#perTask(tx, historyPerTask))
          if (step === null) return { ...result, skipped: true }
          result.perTask += step.deleted
          this.#pruned.inc({ rule: 'per_task' }, step.deleted)
          if (!step.more || this.#stopped) break
          await pause()
        }
      }
      if (result.byAge || result.perTask) this.#o.log.info({ byAge: result.byAge, perTask: result.perTask }, 'pruned run history')
      if (this.#o.vacuum && !this.#stopped) await this.vacuum()
      return result
    } catch (err) {
      this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'pruning run history failed; the next pass tries again')
      throw err
    }
  }

  /**
   * VACUUMs the tables of our schema and pg-boss's with more than 50 + 20 % of their rows dead, one at a
   * time; returns their names. On the embedded database runs wait for each (rarely, by that rule).
   */
  async vacuum (): Promise<string[]> {
    const { db, sql, schema, bossSchema } = this.#o
    const tables = await db.query<{ name: string }>(sql.tablesToVacuum, [[schema, bossSchema]])
    for (const { name } of tables) {
      if (this.#stopped) break
      await db.query(`VACUUM ${name}`) // a name from the catalog, quoted by format('%I')
      await pause()
    }
    return tables.map(table => table.name)
  }

  /** one transaction under the try-lock; null when another process holds it */
  async #batch<T> (fn: (tx: Queryable) => Promise<T>): Promise<T | null> {
    const { db, sql, schema } = this.#o
    return db.transaction(async tx => {
      const [row] = await tx.query<{ locked: boolean }>(sql.retentionLock, [`blast-tasks:retention:${schema}`])
      if (!row?.locked) return null
      return fn(tx)
    })
  }

  async #byAge (tx: Queryable, seconds: number): Promise<number> {
    const [row] = await tx.query<{ n: number }>(this.#o.sql.pruneOld, [seconds, BATCH])
    return row!.n
  }

  async #perTask (tx: Queryable, keep: number): Promise<{ deleted: number; more: boolean }> {
    const { sql } = this.#o
    const [stored] = await tx.query<{ value: string }>(sql.getMeta, [MARK])
    const mark = stored?.value ?? '0'
    const [end] = await tx.query<{ last: string | null; n: number }>(sql.historyChunkEnd, [mark, BATCH])
    if (!end?.last) return { deleted: 0, more: false }
    const [row] = await tx.query<{ n: number }>(sql.pruneExcess, [mark, end.last, keep, BATCH])
    const deleted = row!.n
    // a full batch may have left more of this chunk's pairs over the limit: the same chunk again
    if (deleted < BATCH) await tx.query(sql.setMeta, [MARK, JSON.stringify(end.last)])
    // a partial chunk was the end of the history (for this pass: new runs wait for the next)
    return { deleted, more: deleted === BATCH || end.n === BATCH }
  }
}

function pause (): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, PAUSE_MS))
}
