// One interface over the two databases the runtime runs on: PostgreSQL through a pg pool, or the
// embedded PGlite (in-process, single connection, persisted to a data dir guarded by a lockfile).
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { fromPglite, type ConstructorOptions } from 'pg-boss'
import { BlastDataDirLocked, BlastDatabaseUnavailable } from './errors.ts'
import { redactUrl } from './settings.ts'
import type { Logger } from './logger.ts'

export interface Queryable {
  query<R = Record<string, any>>(text: string, params?: readonly unknown[]): Promise<R[]>
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'embedded'
  /** runs fn in one transaction on one connection; rolls back when fn throws */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /** the part of pg-boss's options that points it at this database */
  bossOptions(): ConstructorOptions
  /**
   * Calls onNotify with each payload NOTIFY sends on `channel`, from any process, until the returned
   * function is called. On PostgreSQL a connection of its own, opened again after it is lost; then
   * onReconnect runs (notifications sent meanwhile are gone: look again). The embedded database is one
   * process's: everything that changes it runs here, so there is nothing to listen to.
   */
  listen(channel: string, onNotify: (payload: string) => void, onReconnect: () => void): () => Promise<void>
  /** whether a NOTIFY came from one of this process's own sessions (its pool's connections) */
  ownSession(processId: number): boolean
  /**
   * Statements to keep prepared (`name` → text): on PostgreSQL each connection parses and plans them
   * at their first calls only (after five, PostgreSQL may keep one generic plan), where an unnamed
   * statement is parsed and planned at every call — a third of a millisecond and more for the run
   * path's CTEs, paid at every level of the graph. Through PgBouncer in transaction mode this needs
   * PgBouncer 1.21 or later with max_prepared_statements set. The embedded database parses each time.
   */
  prepare(statements: Readonly<Record<string, string>>): void
  close(): Promise<void>
}

export function openPostgres (url: string, log: Logger, max = 10): Db {
  const pool = new pg.Pool({ connectionString: withSessionSettings(url, SESSION_SETTINGS), max, application_name: 'blast-tasks' })
  // An idle client that loses its server (a restart) emits here; without a listener the process dies.
  pool.on('error', err => log.warn({ err: err.message }, 'database connection lost; reconnecting on next use'))
  // the server processes of this pool's connections: a NOTIFY from one of them is this process's own
  const sessions = new Set<number>()
  pool.on('connect', client => { const pid = (client as unknown as { processID?: number }).processID; if (pid) sessions.add(pid) })
  pool.on('remove', client => { const pid = (client as unknown as { processID?: number }).processID; if (pid) sessions.delete(pid) })
  // statement text → its prepared name
  const prepared = new Map<string, string>()
  const config = (text: string, params?: readonly unknown[]) => ({ text, values: params as unknown[] | undefined, name: prepared.get(text) })
  return {
    kind: 'postgres',
    async query (text, params) {
      const result = await pool.query(config(text, params))
      return result.rows
    },
    async transaction (fn) {
      const client = await pool.connect()
      // A checked-out client has no 'error' listener: a connection lost between two statements (a
      // server restart) would end the process. Record it instead; the broken client is destroyed.
      let broken: Error | undefined
      const onError = (err: Error) => { broken = err }
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const value = await fn({ query: async (text, params) => (await client.query(config(text, params))).rows })
        await client.query('COMMIT')
        return value
      } catch (err) {
        await client.query('ROLLBACK').catch(rollback => { broken ??= rollback })
        throw err
      } finally {
        client.removeListener('error', onError)
        client.release(broken)
      }
    },
    bossOptions: () => ({ connectionString: withSessionSettings(url, BOSS_SESSION_SETTINGS), max: 6 }),
    listen: (channel, onNotify, onReconnect) => listenPostgres(url, log, channel, onNotify, onReconnect, sessions),
    prepare (statements) {
      for (const [name, text] of Object.entries(statements)) prepared.set(text, `blast_${name}_${createHash('sha1').update(text).digest('hex').slice(0, 8)}`)
    },
    ownSession: processId => sessions.has(processId),
    close: () => pool.end()
  }
}

/** notifications sent by `own` sessions (this process's pool) are dropped: the process wakes its own lanes after its writes */
function listenPostgres (url: string, log: Logger, channel: string, onNotify: (payload: string) => void, onReconnect: () => void,
  own: ReadonlySet<number>): () => Promise<void> {
  let client: pg.Client | null = null
  let stopped = false
  let retry: NodeJS.Timeout | undefined
  let delay = 100
  let lost = false
  const connect = async (): Promise<void> => {
    if (stopped) return
    const next = new pg.Client({ connectionString: url, application_name: 'blast-tasks listen' })
    next.on('notification', message => { if (message.channel === channel && !own.has(message.processId)) onNotify(message.payload ?? '') })
    next.on('error', err => {
      if (stopped || client !== next) return
      log.warn({ err: err.message }, 'lost the connection that listens for ready registers; reconnecting')
      client = null
      lost = true
      next.end().catch(() => {})
      schedule()
    })
    try {
      client = next
      await next.connect()
      await next.query(`LISTEN "${channel}"`)
      delay = 100
      if (lost) { lost = false; onReconnect() }
      if (stopped) await next.end().catch(() => {})
    } catch {
      if (client === next) client = null
      lost = true
      next.end().catch(() => {})
      schedule()
    }
  }
  const schedule = () => {
    if (stopped) return
    retry = setTimeout(() => void connect(), delay)
    retry.unref()
    delay = Math.min(delay * 2, 5000)
  }
  void connect()
  return async () => {
    stopped = true
    clearTimeout(retry)
    await client?.end().catch(() => {})
    client = null
  }
}

/**
 * The first contact with a PostgreSQL database at start: a refusal, an unknown host or database or
 * bad credentials become one BLAST_DATABASE_UNAVAILABLE line rather than a driver's stack.
 */
export async function reachable (db: Db, url: string): Promise<void> {
  try {
    await db.query('select 1')
  } catch (err) {
    const e = err as Error & { code?: string; errors?: Error[] }
    // a host with several addresses fails with an AggregateError whose own message is empty
    const reason = e.message || e.errors?.map(inner => inner.message).join('; ') || e.code || String(err)
    throw new BlastDatabaseUnavailable(`cannot connect to DATABASE_URL=${redactUrl(url)}: ${reason}; check its host, port, database and credentials, or unset it for the embedded database`, { cause: err })
  }
}

/**
 * The runtime's sessions plan for a working set held in memory: random_page_cost 1.1, where
 * PostgreSQL's default of 4 models spinning disks. With 4, the run path's key lookups of a batch (a
 * hundred ids unnested from a parameter) read whole tables of up to some 30,000 rows instead of their
 * primary keys: on 10,000 transients, EXPLAIN ANALYZE gave lockRegisters 3.9 → 0.5 ms, a claim of 100
 * 4.8 → 2.2 ms, the write of 100 results 10.7 → 4.8 ms (bench/run-path-explain.ts, results in
 * bench/results/2026-12-07-run-path-explain-*.txt; test/engine/run-path-plans.test.ts checks the
 * plans). A value the URL sets (`options=-c …`) is overridden for this one parameter only.
 */
export const SESSION_SETTINGS = ['random_page_cost=1.1'] as const

/**
 * pg-boss's own connections commit without waiting for the disk. Its jobs are hints: the claim on
 * our register decides what runs, and a ready register whose job a server crash lost is queued again
 * by the next sweep. Our status writes keep synchronous commits: no transition is ever lost.
 */
export const BOSS_SESSION_SETTINGS = ['synchronous_commit=off'] as const

/** the URL with `-c name=value` startup options added after those it carries (a key=value string is left as given) */
export function withSessionSettings (url: string, settings: readonly string[]): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return url // not a URL (a key=value string): left as given
  }
  const options = [parsed.searchParams.get('options'), ...settings.map(setting => `-c ${setting}`)].filter(Boolean).join(' ')
  parsed.searchParams.delete('options')
  const rest = parsed.searchParams.toString()
  parsed.search = (rest ? `${rest}&` : '') + `options=${encodeURIComponent(options)}`
  return parsed.toString()
}

/** modes of the embedded data dir: the database's files are the user's alone */
export const PRIVATE_DIR = 0o700
export const PRIVATE_FILE = 0o600

/**
 * Makes dir and everything in it private to the user (dirs 0700, files 0600), without recursion.
 * PGlite unpacks its initial cluster with the archive's modes (0666 files), whatever the umask, so
 * the modes are set after it opens and again when it closes; symbolic links are left alone.
 */
export function makePrivate (dir: string): void {
  const stack = [dir]
  while (stack.length) {
    const path = stack.pop()!
    let stat
    try {
      stat = lstatSync(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue // removed meanwhile (a temporary file)
      throw err
    }
    if (stat.isSymbolicLink()) continue
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== PRIVATE_DIR) chmodSync(path, PRIVATE_DIR)
      for (const name of readdirSync(path)) stack.push(join(path, name))
    } else if ((stat.mode & 0o777) !== PRIVATE_FILE) {
      chmodSync(path, PRIVATE_FILE)
    }
  }
}

/** runs fn with umask 077, so what it creates is private from the start (the main thread only can set it) */
async function withPrivateUmask<T> (fn: () => Promise<T>): Promise<T> {
  let previous: number | null = null
  try {
    previous = process.umask(0o077)
  } catch {} // a worker thread: the modes are set afterwards all the same
  try {
    return await fn()
  } finally {
    if (previous !== null) process.umask(previous)
  }
}

/** The lockfile: PGlite is one process's database; a second process on the same dir loses writes. */
function lockDataDir (dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR })
  chmodSync(dir, PRIVATE_DIR) // a data dir made by an older version, or by hand, is made private too
  const file = join(dir, 'blast.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', PRIVATE_FILE)
      writeFileSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
      closeSync(fd)
      return () => rmSync(file, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let holder: { pid?: number, startedAt?: string } = {}
      try { holder = JSON.parse(readFileSync(file, 'utf8')) } catch {}
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new BlastDataDirLocked(`the embedded database in ${dir} is in use by process ${holder.pid} (since ${holder.startedAt}); ` +
          'stop that process, point BLAST_DATA_DIR at another folder, or set DATABASE_URL to share a PostgreSQL database')
      }
      rmSync(file, { force: true }) // left by a process that died: take it over
    }
  }
  throw new BlastDataDirLocked(`could not take the lock ${file}`)
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** dataDir null → in memory (tests) */
export async function openEmbedded (dataDir: string | null): Promise<Db> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {}
  let db: PGlite
  try {
    db = await withPrivateUmask(() => PGlite.create(dataDir ? join(dataDir, 'pgdata') : undefined))
    // PGlite is one session: set once, for the runtime's statements and pg-boss's alike
    for (const setting of SESSION_SETTINGS) await db.exec(`SET ${setting}`)
    if (dataDir) makePrivate(dataDir)
  } catch (err) {
    unlock()
    throw err
  }
  return {
    kind: 'embedded',
    async query (text, params) {
      return (await db.query(text, params as unknown[])).rows as any[]
    },
    async transaction (fn) {
      return db.transaction(async tx => fn({ query: async (text, params) => (await tx.query(text, params as unknown[])).rows as any[] }))
    },
    listen: () => async () => {},
    prepare: () => {},
    ownSession: () => true,
    bossOptions: () => ({ db: fromPglite(db), backend: 'pglite' }) as ConstructorOptions,
    async close () {
      try {
        await db.close()
        // files PGlite created while it ran (new relations, WAL segments) get the same modes
        if (dataDir) {
          try { makePrivate(dataDir) } catch {} // best effort: closing must not fail over a mode
        }
      } finally {
        unlock()
      }
    }
  }
}
