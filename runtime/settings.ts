// The only module that reads the environment. Everything downstream receives the frozen result.
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { BlastSettingInvalid } from './errors.ts'

export interface Settings {
  /** PostgreSQL connection string; null → the embedded database in dataDir */
  readonly databaseUrl: string | null
  readonly dataDir: string
  readonly manifest: string
  readonly port: number
  readonly host: string
  readonly apiToken: string | null
  readonly apiReadAuth: boolean
  /** the port a `--no-api` worker serves /health, /ready and /metrics on (BLAST_METRICS_PORT); null: none */
  readonly metricsPort: number | null
  /** LOG_FORMAT: `pretty` or `json`; null picks pretty on a terminal, JSON otherwise */
  readonly logFormat: 'pretty' | 'json' | null
  readonly logLevel: string
  /** our tables; pg-boss lives in bossSchema */
  readonly schema: string
  readonly bossSchema: string
  /** a worker whose heartbeat is older than this has died; its claims are re-run */
  readonly leaseSeconds: number
  /** on SIGTERM, how long in-flight runs may finish before they are released */
  readonly shutdownGraceSeconds: number
  /** jobs fetched per pg-boss batch */
  readonly batchSize: number
  /** worker threads for runs that hold their loop (CPU-bound); I/O-bound runs share one more */
  readonly poolSize: number
  /** watch the manifest and plugins and apply valid edits without a restart */
  readonly watch: boolean
  /** run history older than this many days is pruned (fractions allowed; 0: kept however old) */
  readonly historyDays: number
  /** only the newest this many runs of each (transient, task) are kept in history (0: all) */
  readonly historyPerTask: number
  /** pg-boss deletes its completed jobs after this many days (fractions allowed) */
  readonly bossArchiveDays: number
  /** start even though live processes run another manifest: this one becomes the cluster's */
  readonly takeOver: boolean
}

export const DEFAULTS = {
  dataDir: './.blast',
  manifest: './blast.tasks.yaml',
  port: 3000,
  host: '127.0.0.1',
  logLevel: 'info',
  schema: 'blast',
  bossSchema: 'blast_boss',
  leaseSeconds: 15,
  shutdownGraceSeconds: 10,
  batchSize: 100,
  historyDays: 30,
  historyPerTask: 20,
  bossArchiveDays: 1
} as const

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/

/** a setting with a value it does not accept: BLAST_SETTING_INVALID, one line naming it and what is allowed */
export const SettingsError = BlastSettingInvalid

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function logLevel (env: NodeJS.ProcessEnv): string {
  const raw = env.LOG_LEVEL
  if (raw === undefined || raw === '') return DEFAULTS.logLevel
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new SettingsError(`LOG_LEVEL=${JSON.stringify(raw)} is not a log level; allowed: ${LOG_LEVELS.join(', ')}`)
  return raw
}

/** a postgres:// URL or a libpq key=value string; anything else is a mistake caught here, not a driver's stack */
function databaseUrl (env: NodeJS.ProcessEnv): string | null {
  const raw = env.DATABASE_URL
  if (raw === undefined || raw === '') return null
  if (raw.includes('=') && !raw.includes('://')) return raw
  let url: URL | null = null
  try { url = new URL(raw) } catch {}
  if (url === null || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    throw new SettingsError(`DATABASE_URL=${JSON.stringify(redactUrl(raw))} is not a PostgreSQL URL; allowed: postgres://user:password@host:port/database, or unset for the embedded database in BLAST_DATA_DIR`)
  }
  return raw
}

/** a connection string as it may be printed: without its password */
export function redactUrl (raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password) url.password = '***'
    return url.toString()
  } catch {
    return raw.replace(/password=\S*/gi, 'password=***').replace(/:[^:@/]*@/, ':***@')
  }
}

function integer (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SettingsError(`${name}=${JSON.stringify(raw)} is not an integer from ${min} to ${max}`)
  }
  return value
}

function decimal (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SettingsError(`${name}=${JSON.stringify(raw)} is not a number from ${min} to ${max}`)
  }
  return value
}

function flag (env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (/^(1|true|yes|on)$/i.test(raw)) return true
  if (/^(0|false|no|off)$/i.test(raw)) return false
  throw new SettingsError(`${name}=${JSON.stringify(raw)} is not a boolean (true or false)`)
}

function logFormat (raw: string | undefined): 'pretty' | 'json' | null {
  if (raw === undefined || raw === '') return null
  if (raw === 'pretty' || raw === 'json') return raw
  throw new SettingsError(`LOG_FORMAT=${JSON.stringify(raw)} is not pretty or json`)
}

export function schemaName (value: string, name: string): string {
  if (!IDENTIFIER.test(value)) throw new SettingsError(`${name}=${JSON.stringify(value)} is not a lowercase SQL identifier`)
  return value
}

export function loadSettings (env: NodeJS.ProcessEnv = process.env): Settings {
  return Object.freeze({
    databaseUrl: databaseUrl(env),
    dataDir: resolve(env.BLAST_DATA_DIR || DEFAULTS.dataDir),
    manifest: resolve(env.BLAST_MANIFEST || DEFAULTS.manifest),
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65535),
    host: env.HOST || DEFAULTS.host,
    apiToken: env.BLAST_API_TOKEN || null,
    apiReadAuth: flag(env, 'BLAST_API_READ_AUTH', false),
    // a `--no-api` worker serves /health, /ready and /metrics here when set (docs/operations.md)
    metricsPort: env.BLAST_METRICS_PORT ? integer(env, 'BLAST_METRICS_PORT', 0, 0, 65535) : null,
    logLevel: logLevel(env),
    logFormat: logFormat(env.LOG_FORMAT),
    schema: schemaName(env.BLAST_SCHEMA || DEFAULTS.schema, 'BLAST_SCHEMA'),
    bossSchema: schemaName(env.BLAST_BOSS_SCHEMA || DEFAULTS.bossSchema, 'BLAST_BOSS_SCHEMA'),
    leaseSeconds: integer(env, 'BLAST_LEASE_SECONDS', DEFAULTS.leaseSeconds, 3, 3600),
    shutdownGraceSeconds: integer(env, 'BLAST_SHUTDOWN_GRACE_SECONDS', DEFAULTS.shutdownGraceSeconds, 0, 3600),
    batchSize: integer(env, 'BLAST_BATCH_SIZE', DEFAULTS.batchSize, 1, 1000),
    poolSize: integer(env, 'BLAST_POOL_SIZE', availableParallelism(), 1, 256),
    watch: flag(env, 'BLAST_WATCH', true),
    historyDays: decimal(env, 'BLAST_HISTORY_DAYS', DEFAULTS.historyDays, 0, 36500),
    historyPerTask: integer(env, 'BLAST_HISTORY_PER_TASK', DEFAULTS.historyPerTask, 0, 1000000),
    // pg-boss counts whole seconds and reads 0 as "never delete": at least 0.001 days (86 s)
    bossArchiveDays: decimal(env, 'BLAST_BOSS_ARCHIVE_DAYS', DEFAULTS.bossArchiveDays, 0.001, 3650),
    takeOver: flag(env, 'BLAST_TAKE_OVER', false)
  })
}
