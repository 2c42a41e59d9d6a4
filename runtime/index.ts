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
