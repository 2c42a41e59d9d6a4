// The public surface of blast-tasks. Plugins import types only from here.
export type {
  Diagnostic,
  Manifest,
  Severity,
  Status,
  StatusType,
  SystemContext,
  SystemProcess,
  Task,
  TaskContext,
  TaskKind,
  TaskLogger,
  TaskResult,
  TaskState,
  Transient,
  TransientInput,
  TransientProcess,
  TransientsAccess
} from './types.ts'
export type * from './control.ts'
export { BUILTIN_STATUSES, STATUS_TYPES, TASK_KINDS } from './types.ts'
export { Runtime, type RuntimeOptions } from './runtime.ts'
export { buildApi, resolveToken, type ApiOptions } from './api/index.ts'
export { loadManifest, validateManifestText, formatDiagnostic, formatDiagnostics, renderGraph, slugify } from './manifest/index.ts'
export { compile, evaluate, type Plan, type PlannedTask } from './plan.ts'
export { loadSettings, type Settings } from './settings.ts'
