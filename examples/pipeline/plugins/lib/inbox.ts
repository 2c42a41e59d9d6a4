// Reading the inbox: turns CSV and JSON files into transient rows, each either valid input or a
// reason it was refused, with the file:line it came from. Not a plugin; no I/O here.
import type { TransientInput } from 'blast-tasks'
import { parseCsv } from './csv.ts'
import { parseSexagesimal } from './astro.ts'

export type InboxRow =
  | { readonly where: string; readonly input: TransientInput }
  | { readonly where: string; readonly error: string }

// The runtime's rules for a transient (runtime/transient-rules.ts), repeated here because a plugin
// imports nothing but types from the runtime: checking them per row names the bad row by file:line
// instead of having the store refuse the whole batch.
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/
const FIELDS = new Set(['name', 'ra_deg', 'dec_deg', 'public_timestamp', 'redshift', 'data'])

/** A CSV file with a header row; columns beyond the transient fields go into `data`. */
export function rowsFromCsv (text: string, file: string): InboxRow[] {
  const { header, records } = parseCsv(text)
  return records.map(({ line, values }) => {
    const where = `${file}:${line}`
    if (values.length !== header.length) {
      return { where, error: `has ${values.length} fields, the header has ${header.length}` }
    }
    const raw: Record<string, unknown> = {}
    header.forEach((key, i) => { if (values[i] !== '') raw[key] = values[i] })
    return toRow(raw, where, true)
  })
}

/** A JSON file holding an array of objects or `{ "transients": [...] }`; throws on bad JSON. */
export function rowsFromJson (text: string, file: string): InboxRow[] {
  const doc: unknown = JSON.parse(text)
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.transients) ? doc.transients : null
  if (list === null) throw new Error('expected an array of transients or {"transients": [...]}')
  const lines = elementLines(text)
  return list.map((item: unknown, i: number) => {
    const where = `${file}:${lines[i] ?? `[${i}]`}`
    return isObject(item) ? toRow(item, where, false) : { where, error: 'is not an object' }
  })
}

function toRow (raw: Record<string, unknown>, where: string, fromText: boolean): InboxRow {
  const problems: string[] = []
  const name = typeof raw.name === 'string' ? raw.name.trim() : raw.name
  if (name === undefined || name === '') problems.push('name is missing')
  else if (typeof name !== 'string' || !NAME.test(name)) {
    problems.push(`name ${JSON.stringify(name)} is not 1-64 letters, digits, '_' or '-' (alphanumeric at both ends)`)
  }
  const ra = coordinate(raw.ra_deg, 'hours')
  const dec = coordinate(raw.dec_deg, 'degrees')
  if (Number.isNaN(ra)) problems.push(describe('ra_deg', raw.ra_deg, 'a number of degrees or hh:mm:ss'))
  else if (!(ra >= 0 && ra < 360)) problems.push(`ra_deg ${ra} is outside [0, 360)`)
  if (Number.isNaN(dec)) problems.push(describe('dec_deg', raw.dec_deg, 'a number of degrees or ±dd:mm:ss'))
  else if (!(dec >= -90 && dec <= 90)) problems.push(`dec_deg ${dec} is outside [-90, 90]`)
  const redshift = blank(raw.redshift) ? null : toNumber(raw.redshift)
  if (Number.isNaN(redshift)) problems.push(describe('redshift', raw.redshift, 'a number'))
  else if (redshift !== null && redshift < 0) problems.push(`redshift ${redshift} is negative`)
  let timestamp: string | null = null
  if (!blank(raw.public_timestamp)) {
    // Date.parse alone accepts oddities such as "1" (year 2001); insist on an ISO date first
    const ts = raw.public_timestamp
    const ms = typeof ts === 'string' && /^\d{4}-\d{2}-\d{2}/.test(ts.trim()) ? Date.parse(ts) : NaN
    if (Number.isNaN(ms)) problems.push(describe('public_timestamp', raw.public_timestamp, 'an ISO 8601 date'))
    else timestamp = new Date(ms).toISOString()
  }
  const data: Record<string, unknown> = isObject(raw.data) ? { ...raw.data } : {}
  if (raw.data !== undefined && !isObject(raw.data)) problems.push('data is not an object')
  for (const [key, value] of Object.entries(raw)) {
    if (FIELDS.has(key)) continue
    // CSV cells are text: numbers become numbers, the rest stays as written
    data[key] = fromText && typeof value === 'string' && Number.isFinite(toNumber(value)) ? toNumber(value) : value
  }
  if (problems.length > 0) return { where, error: problems.join('; ') }
  return { where, input: { name: name as string, ra_deg: ra, dec_deg: dec, public_timestamp: timestamp, redshift, data } }
}

function coordinate (value: unknown, unit: 'hours' | 'degrees'): number {
  if (typeof value === 'string' && /\d[:\s]+\d/.test(value.trim())) return parseSexagesimal(value, unit)
  return toNumber(value)
}

// Number('') is 0 and Number(null) is 0; neither is a measurement
function toNumber (value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN
  if (typeof value !== 'string' || value.trim() === '') return NaN
  const n = Number(value)
  return Number.isFinite(n) ? n : NaN
}

function blank (value: unknown): boolean {
  return value == null || (typeof value === 'string' && value.trim() === '')
}

function describe (field: string, value: unknown, expected: string): string {
  return value == null || value === '' ? `${field} is missing` : `${field} ${JSON.stringify(value)} is not ${expected}`
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Line of each element of the transients array, so a refused JSON row can be reported as file:line
 * like a CSV row. JSON.parse has already accepted the text, so a light scan is enough.
 */
function elementLines (text: string): number[] {
  const lines: number[] = []
  const stack: string[] = []
  let line = 1
  let target = -1 // nesting depth of the transients array's elements
  let awaiting = false
  let lastString = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\n') line++
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') continue
    if (awaiting && stack.length === target && ch !== ']') { lines.push(line); awaiting = false }
    if (ch === '"') {
      let s = ''
      for (i++; text[i] !== '"'; i++) s += text[i] === '\\' ? text[++i] : text[i]
      lastString = s
    } else if (ch === '[' || ch === '{') {
      stack.push(ch)
      const isTarget = ch === '[' && (stack.length === 1 || (stack.length === 2 && stack[0] === '{' && lastString === 'transients'))
      if (target < 0 && isTarget) { target = stack.length; awaiting = true }
    } else if (ch === ']' || ch === '}') {
      stack.pop()
    } else if (ch === ',' && stack.length === target) {
      awaiting = true
    }
  }
  return lines
}
