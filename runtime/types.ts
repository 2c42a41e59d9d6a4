// The typed values that flow down the line manifest → plan → engine → API. Everything here is
// data: produced once at the edge (runtime/manifest/), frozen, and only read downstream.

export const STATUS_TYPES = ['blank', 'success', 'warning', 'error'] as const
export type StatusType = (typeof STATUS_TYPES)[number]

export const TASK_KINDS = ['transient', 'system'] as const
export type TaskKind = (typeof TASK_KINDS)[number]

// The statuses every manifest has, whether it declares them or not.
export const BUILTIN_STATUSES = {
  notProcessed: 'not processed',
  processing: 'processing',
  processed: 'processed',
  failed: 'failed',
  timeLimitExceeded: 'time limit exceeded'
} as const

export interface Status {
  readonly message: string
  readonly type: StatusType
  readonly description: string
  readonly builtin: boolean
}

export interface Task {
  readonly name: string
  /** kebab-case of the name: the default plugin file name and the pg-boss queue suffix */
  readonly slug: string
  readonly kind: TaskKind
  /** the plugin path as written in the manifest (or the default), relative to the manifest */
  readonly pluginRef: string
  /** absolute path of the plugin module */
  readonly plugin: string
  /** {task name: status message}; the task's own implied `not processed` guard is not listed */
  readonly prerequisites: Readonly<Record<string, string>>
  readonly failedStatus: string
  readonly frequencySeconds: number
  readonly enabled: boolean
  readonly timeoutSeconds: number
  readonly retries: number
  /** heap limit of the worker a run executes in */
  readonly memoryMb: number
  /** largest JSON output a run may return */
  readonly maxOutputBytes: number
  /** runs of this task one process runs at once */
  readonly concurrency: number
  readonly description: string
}

export interface Manifest {
  /** absolute path of the manifest file */
  readonly file: string
  /** directory the plugin paths are relative to */
  readonly dir: string
  readonly version: 1
  readonly statuses: readonly Status[]
  readonly tasks: readonly Task[]
}

export type Severity = 'error' | 'warning'

export interface Diagnostic {
  /** path as shown to the user (relative to the working directory when inside it) */
  readonly file: string
  readonly line: number
  readonly column: number
  readonly severity: Severity
  readonly code: string
  readonly message: string
}

// ---- The plugin contract: what a module in plugins/ receives and returns. ----

export interface TaskLogger {
  debug(msg: string, ...args: unknown[]): void
  info(msg: string, ...args: unknown[]): void
  warn(msg: string, ...args: unknown[]): void
  error(msg: string, ...args: unknown[]): void
}

export interface TaskState {
  readonly status: string
  readonly type: StatusType
  readonly output: unknown
}

/** What a transient task's process() receives: the transient as the database holds it. */
export interface Transient {
  readonly name: string
  readonly ra_deg: number
  readonly dec_deg: number
  /** ISO 8601 discovery time, or null when unknown */
  readonly public_timestamp: string | null
  readonly redshift: number | null
  readonly data: Readonly<Record<string, unknown>>
  /** the status and output of every task of this transient, by task name */
  readonly tasks: Readonly<Record<string, TaskState>>
}

/** What may be written to create or update a transient (ingest, API). */
export interface TransientInput {
  name: string
  ra_deg: number
  dec_deg: number
  public_timestamp?: string | null
  redshift?: number | null
  data?: Record<string, unknown>
}

export interface TaskContext {
  readonly log: TaskLogger
  /** aborts when the run passes the task's timeout_seconds or the runtime shuts down */
  readonly signal: AbortSignal
  readonly task: string
  /** 1 for the first attempt, counting up with retries and recovered crashes */
  readonly attempt: number
}

export interface TransientsAccess {
  /** insert new transients and update existing ones by name; new ones are queued at once */
  upsert(transients: readonly TransientInput[]): Promise<{ created: string[]; updated: string[] }>
  list(options?: { limit?: number; after?: string }): Promise<Transient[]>
  get(name: string): Promise<Transient | undefined>
}

export interface SystemContext extends TaskContext {
  readonly transients: TransientsAccess
}

export type TaskResult = string | { status: string; output?: unknown }

export type TransientProcess = (transient: Transient, ctx: TaskContext) => TaskResult | Promise<TaskResult>
/** a system task may return a status (default `processed`) and an output, or nothing */
export type SystemProcess = (ctx: SystemContext) => TaskResult | void | Promise<TaskResult | void>

/** where a transient stands: below 100% `processing`, else `blocked` (an error-type status) or `completed` */
export type ProcessingStatus = 'processing' | 'blocked' | 'completed'

export interface TaskSchedule {
  /** `cron`: a pg-boss schedule; `interval`: the runtime's ticker (cadences cron cannot express) */
  readonly kind: 'cron' | 'interval'
  readonly cron: string | null
  readonly everySeconds: number
}
