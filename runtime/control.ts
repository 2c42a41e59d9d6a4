// The operations an operator drives: what the control API (runtime/api/) and the CLI call on a
// running engine. The engine implements this; the API is a thin HTTP skin over it.
import type { Registry } from 'prom-client'
import type { Diagnostic, Manifest, ProcessingStatus, Status, StatusType, Task, TaskSchedule, TransientInput } from './types.ts'
import type { ManifestChanges } from './planner.ts'

// defined with the plan's types (types.ts), which control.ts must not be imported by
export type { ProcessingStatus, TaskSchedule } from './types.ts'

export interface TaskInfo {
  readonly task: Task
  readonly queue: string
  readonly schedule: TaskSchedule
  readonly enabled: { readonly declared: boolean; readonly effective: boolean; readonly override: boolean | null }
  readonly lastSweepAt: string | null
  readonly nextSweepAt: string | null
  /** transients per status message (transient tasks only; empty for system tasks) */
  readonly counts: Readonly<Record<string, number>>
}

export interface TransientSummary {
  readonly name: string
  readonly ra_deg: number
  readonly dec_deg: number
  readonly public_timestamp: string | null
  readonly redshift: number | null
  readonly data: Readonly<Record<string, unknown>>
  readonly progress: number
  readonly processing_status: ProcessingStatus
  readonly created_at: string
  readonly updated_at: string
}

export interface TaskRegister {
  readonly task: string
  readonly status: string
  readonly type: StatusType
  readonly updated_at: string
  readonly duration_ms: number | null
  readonly attempts: number
  readonly output: unknown
  readonly last_error: string | null
  /** false for rows of tasks no longer in the manifest (kept, never deleted) */
  readonly in_manifest: boolean
}

export interface TransientDetail extends TransientSummary {
  readonly tasks: readonly TaskRegister[]
}

export interface Page<T> {
  readonly items: readonly T[]
  /** opaque; pass back as `cursor` for the next page; null on the last page */
  readonly nextCursor: string | null
}

export interface TransientFilter {
  task?: string
  status?: string
  /** transients with a register whose status has this type (with `task`: that task's register) */
  status_type?: StatusType
  processing_status?: ProcessingStatus
  limit?: number
  cursor?: string
}

export type RunCause = 'sweep' | 'push' | 'api' | 'retry' | 'recovery' | 'cli'

export interface Run {
  readonly id: string
  readonly transient: string | null
  readonly task: string
  readonly started_at: string
  readonly finished_at: string | null
  readonly duration_ms: number | null
  /** resulting status; for operator actions (reset, retrigger…) the status written */
  readonly status: string
  readonly error: string | null
  readonly stack: string | null
  readonly attempt: number
  readonly worker: string | null
  readonly cause: RunCause
  /** for operator actions: who (`api`, `cli`) and what (`retrigger`, `reprocess`, `reset`) */
  readonly action: string | null
  /** what the plugin returned as output (system tasks report here) */
  readonly output: unknown
}

export interface RunFilter {
  task?: string
  transient?: string
  status?: string
  since?: string
  limit?: number
  cursor?: string
}

/** one run's result, to be recorded on its register */
export interface RecordedRun {
  readonly status: string
  /** what process() returned as output; ignored when it threw (the stored output stays) */
  readonly output?: unknown
  readonly error: { readonly message: string; readonly stack: string | null } | null
  readonly started_at: string
  readonly duration_ms: number
  /** who ran it (`cli:<host>:<pid>`) */
  readonly worker: string
  /** how, as the run history shows it (`blast-tasks run --commit`) */
  readonly action: string
}

export interface PrerequisiteCheck {
  readonly task: string
  readonly required: string
  readonly current: string | null
  readonly holds: boolean
}

export interface Explanation {
  readonly transient: string
  readonly task: string
  readonly status: string
  /** true when every prerequisite holds and the status is `not processed` */
  readonly eligible: boolean
  readonly enabled: boolean
  readonly inFlight: boolean
  readonly attempts: number
  readonly prerequisites: readonly PrerequisiteCheck[]
  readonly nextSweepAt: string | null
  /** one sentence: why it is or is not running */
  readonly summary: string
}

export interface ResetResult {
  readonly transient: string
  /** the tasks whose status was set back to `not processed` */
  readonly reset: readonly string[]
}

export interface ManifestInfo {
  readonly manifest: Manifest
  readonly file: string
  readonly loadedAt: string
  /** diagnostics of the last load attempt (an invalid edit leaves the last good manifest running) */
  readonly diagnostics: readonly Diagnostic[]
  readonly lastAttemptAt: string
  readonly lastAttemptOk: boolean
}

export interface Control {
  readonly metrics: Registry
  manifestInfo(): ManifestInfo
  statuses(): readonly Status[]
  /** database reachable and manifest loaded */
  ready(): Promise<boolean>

  listTasks(): Promise<TaskInfo[]>
  /** throws BlastUnknownTask */
  getTask(name: string): Promise<TaskInfo>
  /** persisted override; null clears it (back to the manifest's `enabled`) */
  setEnabled(task: string, enabled: boolean | null): Promise<TaskInfo>
  /** sweep now; with a transient, queue that one (throws if it does not exist) */
  runTask(task: string, transient?: string): Promise<{ queued: number }>

  listTransients(filter: TransientFilter): Promise<Page<TransientSummary>>
  /** throws BlastDuplicateTransient naming every existing one (nothing is created then) */
  createTransients(inputs: readonly TransientInput[]): Promise<TransientSummary[]>
  upsertTransient(input: TransientInput): Promise<{ created: boolean; transient: TransientSummary }>
  getTransient(name: string): Promise<TransientDetail>
  deleteTransient(name: string): Promise<void>
  retrigger(name: string, by: string): Promise<ResetResult>
  reprocess(name: string, by: string): Promise<ResetResult>
  resetTask(name: string, task: string, options: { cascade: boolean }, by: string): Promise<ResetResult>
  explain(name: string, task: string): Promise<Explanation>
  /**
   * records a run made outside the workers (`blast-tasks run --commit`) like a worker's, and queues
   * what it made ready; throws BlastRunRefused while a worker runs that task on that transient
   */
  recordRun(name: string, task: string, run: RecordedRun, by: string): Promise<{ ready: string[] }>

  listRuns(filter: RunFilter): Promise<Page<Run>>
  getRun(id: string): Promise<Run>

  /** diagnostics for manifest text, nothing applied */
  validateManifest(text: string): Promise<readonly Diagnostic[]>
  /** what applying a manifest text would change against the database (`blast-tasks plan`); nothing applied */
  planManifest(text: string): Promise<ManifestPlanResult>
}

export interface ManifestPlanResult {
  /** the candidate's diagnostics; when any is an error there is nothing to compare and changes is null */
  readonly diagnostics: readonly Diagnostic[]
  readonly changes: ManifestChanges | null
}
