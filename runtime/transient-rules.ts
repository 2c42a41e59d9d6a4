// Blast's rules for a transient, checked wherever transients enter (API, ingest plugins, CLI).
import type { TransientInput } from './types.ts'

/** up to 64 chars, letters, digits, `_` and `-`, starting and ending with a letter or digit */
export const TRANSIENT_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$'
const NAME = new RegExp(TRANSIENT_NAME_PATTERN)
/** what PostgreSQL stores as timestamptz and JavaScript parses alike: years 1 to 9999 */
export const EARLIEST = Date.parse('0001-01-01T00:00:00Z')
export const LATEST = Date.parse('9999-12-31T23:59:59.999Z')
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/**
 * true when text opens with a calendar date that does not exist (2024-02-30, 2023-02-29, month 13):
 * JavaScript and PostgreSQL would both roll it over into the next month instead of refusing it
 */
export function impossibleDate (text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?!\d)/.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (month < 1 || month > 12 || day < 1) return true
  return day > (month === 2 && leap(year) ? 29 : DAYS_IN_MONTH[month - 1])
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/

/** RFC 3339 date-time (what JSON Schema's `date-time` means: a zone is required), every field in its range */
export function isDateTime (text: string): boolean {
  const match = DATE_TIME.exec(text)
  if (!match || impossibleDate(text)) return false
  const [hour, minute, second] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const [zoneHour, zoneMinute] = [Number(match[6] ?? 0), Number(match[7] ?? 0)]
  return hour <= 23 && minute <= 59 && second <= 59 && zoneHour <= 23 && zoneMinute <= 59 && !Number.isNaN(Date.parse(text))
}

/** text jsonb refuses: U+0000, or half of a surrogate pair */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** text made storable: U+0000 written as \0, a lone surrogate as U+FFFD */
export function storableText (text: string): string {
  return text.replaceAll('\u0000', '\\0').replace(LONE_SURROGATE, '\uFFFD')
}

/** how deep arrays and objects may nest in a JSON value the runtime accepts (a transient's data, an API body) */
export const MAX_JSON_DEPTH = 1000

// Both walks below are iterative: a value nested thousands of levels deep must not overflow the stack.

/** true when a JSON value nests arrays and objects deeper than `limit` levels (a scalar is level 0) */
export function jsonDepthExceeds (value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length) {
    const [node, depth] = stack.pop()!
    if (node === null || typeof node !== 'object') continue
    if (depth + 1 > limit) return true
    for (const item of Object.values(node)) if (item !== null && typeof item === 'object') stack.push([item, depth + 1])
  }
  return false
}

/** true when a JSON value holds a string (or key) the database cannot store */
export function unstorable (value: unknown): boolean {
  const stack: unknown[] = [value]
  while (stack.length) {
    const node = stack.pop()
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return true
    } else if (Array.isArray(node)) {
      for (const item of node) stack.push(item)
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        if (UNSTORABLE.test(key)) return true
        stack.push(item)
      }
    }
  }
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
  if (t.public_timestamp != null && (!(at >= EARLIEST && at <= LATEST) || impossibleDate(t.public_timestamp as string))) {
    problems.push(`${label}: public_timestamp must be an ISO 8601 date-time (years 1 to 9999) or null`)
  }
  if (t.redshift != null && (typeof t.redshift !== 'number' || !(t.redshift >= 0) || !Number.isFinite(t.redshift))) {
    problems.push(`${label}: redshift must be a number >= 0 or null`)
  }
  if (t.data != null && (typeof t.data !== 'object' || Array.isArray(t.data))) problems.push(`${label}: data must be an object`)
  else if (jsonDepthExceeds(t.data, MAX_JSON_DEPTH)) problems.push(`${label}: data nests deeper than ${MAX_JSON_DEPTH} levels`)
  else if (unstorable(t.data)) problems.push(`${label}: data holds U+0000 or a lone surrogate, which the database cannot store`)
  return problems
}

export function isTransientInput (input: unknown): input is TransientInput {
  return transientProblems(input).length === 0
}
