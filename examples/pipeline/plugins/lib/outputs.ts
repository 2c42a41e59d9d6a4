// Reading what upstream tasks stored for a transient, and shaping what a task stores. The
// manifest's prerequisites guarantee the parent finished as `processed`; a missing or mis-shaped
// output is therefore a bug worth a loud failure (the failed status), never a silent default. Not a plugin.
import type { Transient } from 'blast-tasks'

export function upstreamOutput (transient: Transient, task: string): Readonly<Record<string, unknown>> {
  const state = transient.tasks[task]
  if (state === undefined) throw new Error(`no "${task}" result for ${transient.name}`)
  const { output } = state
  if (typeof output !== 'object' || output === null || Array.isArray(output)) {
    throw new Error(`"${task}" output for ${transient.name} is not an object (status ${state.status})`)
  }
  return output as Readonly<Record<string, unknown>>
}

export function numberField (output: Readonly<Record<string, unknown>>, field: string, task: string): number {
  const value = output[field]
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`"${task}" output has no numeric ${field} (got ${JSON.stringify(value)})`)
  }
  return value
}

/** Rounds for storage and display; the inputs carry nowhere near 15 significant digits. */
export function round (value: number, decimals: number): number {
  const f = 10 ** decimals
  return Math.round(value * f) / f
}
