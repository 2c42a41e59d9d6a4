// What the engine returns, shaped as the API shows it: snake_case throughout (Blast's transient fields
// already are), and no paths of the server's file system: the manifest is named by its file name only.
import { basename } from 'node:path'
import type { Explanation, ManifestInfo, Page, TaskInfo } from '../control.ts'
import { formatDiagnostic } from '../manifest/index.ts'
import type { Diagnostic, Task } from '../types.ts'

function definition(task: Task) {
  return {
    name: task.name,
    slug: task.slug,
    kind: task.kind,
    description: task.description,
    plugin: task.pluginRef,
    prerequisites: task.prerequisites,
    failed_status: task.failedStatus,
    frequency_seconds: task.frequencySeconds,
    timeout_seconds: task.timeoutSeconds,
    retries: task.retries,
    memory_mb: task.memoryMb,
    max_output_bytes: task.maxOutputBytes,
    concurrency: task.concurrency
  }
}

export function taskView(info: TaskInfo) {
  return {
    ...definition(info.task),
    queue: info.queue,
    schedule: { kind: info.schedule.kind, cron: info.schedule.cron, every_seconds: info.schedule.everySeconds },
    enabled: { declared: info.enabled.declared, override: info.enabled.override, effective: info.enabled.effective },
    last_sweep_at: info.lastSweepAt,
    next_sweep_at: info.nextSweepAt,
    counts: info.counts
  }
}

export function pageView<T>(page: Page<T>) {
  return { items: page.items, next_cursor: page.nextCursor }
}

export function explanationView(e: Explanation) {
  return {
    transient: e.transient,
    task: e.task,
    status: e.status,
    eligible: e.eligible,
    enabled: e.enabled,
    in_flight: e.inFlight,
    attempts: e.attempts,
    prerequisites: e.prerequisites,
    next_sweep_at: e.nextSweepAt,
    summary: e.summary
  }
}

/** The one-line form used everywhere: `file:line:col severity CODE message`. */
export function diagnosticView(d: Diagnostic) {
  return { ...d, text: formatDiagnostic(d) }
}

export function validationView(diagnostics: readonly Diagnostic[]) {
  return { ok: !diagnostics.some((d) => d.severity === 'error'), diagnostics: diagnostics.map(diagnosticView) }
}

export function manifestView(info: ManifestInfo) {
  return {
    file: basename(info.file),
    loaded_at: info.loadedAt,
    last_attempt_at: info.lastAttemptAt,
    last_attempt_ok: info.lastAttemptOk,
    diagnostics: info.diagnostics.map(diagnosticView),
    manifest: {
      version: info.manifest.version,
      statuses: info.manifest.statuses,
      tasks: info.manifest.tasks.map((t) => ({ ...definition(t), enabled: t.enabled }))
    }
  }
}
