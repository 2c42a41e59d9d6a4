// Blast's rules for a transient, checked wherever transients enter (API, ingest plugins, CLI).
import type { TransientInput } from './types.ts'

/** up to 64 chars, letters, digits, `_` and `-`, starting and ending with a letter or digit */
export const TRANSIENT_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$'
const NAME = new RegExp(TRANSIENT_NAME_PATTERN)
const FIELDS = new Set(['name', 'ra_deg', 'dec_deg', 'public_timestamp', 'redshift', 'data'])

/** the problems with one transient, empty when it is fine */
export function transientProblems (input: unknown): string[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return ['a transient is an object with name, ra_deg and dec_deg']
  const t = input as Record<string, unknown>
  const problems: string[] = []
  const label = typeof t.name === 'string' ? `transient "${t.name}"` : 'transient'
  for (const key of Object.keys(t)) if (!FIELDS.has(key)) problems.push(`${label}: unknown field "${key}"; allowed: ${[...FIELDS].join(', ')}`)
  if (typeof t.name !== 'string' || !NAME.test(t.name)) {
    problems.push(`${label}: name must be 1-64 letters, digits, "_" or "-", starting and ending with a letter or digit`)
  }
  if (typeof t.ra_deg !== 'number' || !(t.ra_deg >= 0 && t.ra_deg < 360)) problems.push(`${label}: ra_deg must be a number in [0, 360)`)
  if (typeof t.dec_deg !== 'number' || !(t.dec_deg >= -90 && t.dec_deg <= 90)) problems.push(`${label}: dec_deg must be a number in [-90, 90]`)
  if (t.public_timestamp != null && (typeof t.public_timestamp !== 'string' || Number.isNaN(Date.parse(t.public_timestamp)))) {
    problems.push(`${label}: public_timestamp must be an ISO 8601 date-time or null`)
  }
  if (t.redshift != null && (typeof t.redshift !== 'number' || !(t.redshift >= 0) || !Number.isFinite(t.redshift))) {
    problems.push(`${label}: redshift must be a number >= 0 or null`)
  }
  if (t.data != null && (typeof t.data !== 'object' || Array.isArray(t.data))) problems.push(`${label}: data must be an object`)
  return problems
}

export function isTransientInput (input: unknown): input is TransientInput {
  return transientProblems(input).length === 0
}
