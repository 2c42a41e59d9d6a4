// Task "Redshift class": a plugin exports `process` and nothing else. It receives the transient
// (with the status and output of its other tasks) and returns a declared status, with an output
// that later tasks can read in transient.tasks['Redshift class'].output.
import type { TaskResult, Transient } from 'blast-tasks'

export function process (transient: Transient): TaskResult {
  if (transient.redshift === null || transient.redshift <= 0) return 'no redshift'
  return { status: 'processed', output: { nearby: transient.redshift < 0.02 } }
}
