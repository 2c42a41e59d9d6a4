// Blast's rules for a transient, checked wherever transients enter (API, ingest plugins, CLI).
import type { TransientInput } from './types.ts'

/** up to 64 chars, letters, digits, `_` and `-`, starting and ending with a letter or digit */
export const TRANSIENT_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$'
const NAME = new RegExp(TRANSIENT_NAME_PATTERN)
/** what PostgreSQL stores as timestamptz and JavaScript parses alike: years 1 to 9999 */
export const EARLIEST = Date.parse('0001-01-01T00:00:00Z')
export const LATEST = Date.parse('9999-12-31T23:59:59.999Z')
/** text jsonb refuses: U+0000, or half of a surrogate pair */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** text made storable: U+0000 written as \0, a lone surrogate as U+FFFD */
export function storableText (text: string): string {
  return text.replaceAll('\u0000', '\\0').replace(LONE_SURROGATE, '\uFFFD')
}

/** true when a JSON value holds a string (or key) the database cannot store */
export function unstorable (value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value)
  if (Array.isArray(value)) return value.some(unstorable)
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, item]) => UNSTORABLE.test(key) || unstorable(item))
  return false
}
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
  const at = typeof t.public_timestamp === 'string' ? Date.parse(t.public_timestamp) : NaN
  if (t.public_timestamp != null && !(at >= EARLIEST && at <= LATEST)) {
    problems.push(`${label}: public_timestamp must be an ISO 8601 date-time (years 1 to 9999) or null`)
  }
  if (t.redshift != null && (typeof t.redshift !== 'number' || !(t.redshift >= 0) || !Number.isFinite(t.redshift))) {
    problems.push(`${label}: redshift must be a number >= 0 or null`)
  }
  if (t.data != null && (typeof t.data !== 'object' || Array.isArray(t.data))) problems.push(`${label}: data must be an object`)
  else if (unstorable(t.data)) problems.push(`${label}: data holds U+0000 or a lone surrogate, which the database cannot store`)
  return problems
}

export function isTransientInput (input: unknown): input is TransientInput {
  return transientProblems(input).length === 0
}
