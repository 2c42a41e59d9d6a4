// Turns a checked manifest into the frozen values the rest of the runtime reads.
import type { Manifest, Status, Task } from '../types.ts'
import type { ResolvedPlugin } from './plugins.ts'
import type { TaskEntry } from './rules.ts'
import { TASK_DEFAULTS } from './schema.ts'

export function buildManifest(
  file: string,
  dir: string,
  statuses: readonly Status[],
  tasks: readonly { entry: TaskEntry; plugin: ResolvedPlugin }[]
): Manifest {
  return deepFreeze({
    file,
    dir,
    version: 1,
    statuses: statuses.map((s) => ({ ...s })),
    tasks: tasks.map(({ entry, plugin }): Task => {
      const raw = entry.raw
      return {
        name: entry.name,
        slug: entry.slug,
        kind: entry.kind,
        pluginRef: plugin.ref,
        plugin: plugin.file,
        prerequisites: { ...entry.prerequisites },
        failedStatus: pick(raw.failed_status, TASK_DEFAULTS.failed_status),
        frequencySeconds: pick(raw.frequency_seconds, TASK_DEFAULTS.frequency_seconds),
        enabled: pick(raw.enabled, TASK_DEFAULTS.enabled),
        timeoutSeconds: pick(raw.timeout_seconds, TASK_DEFAULTS.timeout_seconds),
        retries: pick(raw.retries, TASK_DEFAULTS.retries),
        memoryMb: pick(raw.memory_mb, TASK_DEFAULTS.memory_mb),
        maxOutputBytes: pick(raw.max_output_bytes, TASK_DEFAULTS.max_output_bytes),
        concurrency: pick(raw.concurrency, TASK_DEFAULTS.concurrency),
        description: pick(raw.description, TASK_DEFAULTS.description)
      }
    })
  })
}

// The schema has already checked the type; a value of another type means the manifest did not
// validate, and then no manifest is built.
function pick<T extends string | number | boolean>(value: unknown, fallback: T): T {
  return typeof value === typeof fallback ? (value as T) : fallback
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
