// A small RFC 4180 reader: comma-separated, double-quoted fields may hold commas, newlines and
// doubled quotes (""). Blank lines and lines starting with '#' are skipped, so data files can
// carry their provenance at the top. Not a plugin.

export interface CsvRecord {
  /** 1-based line where the record starts, for messages such as `inbox/a.csv:7` */
  readonly line: number
  readonly values: readonly string[]
}

export interface CsvTable {
  readonly header: readonly string[]
  readonly headerLine: number
  readonly records: readonly CsvRecord[]
}

export class CsvSyntaxError extends Error {
  readonly line: number
  constructor (message: string, line: number) {
    super(message)
    this.name = 'CsvSyntaxError'
    this.line = line
  }
}

/** Splits text into records of raw fields; throws CsvSyntaxError on an unterminated quote. */
export function parseCsvRecords (text: string): CsvRecord[] {
  const records: CsvRecord[] = []
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // tolerate a UTF-8 BOM
  let line = 1
  let i = 0
  while (i < src.length) {
    const startLine = line
    // a comment line is only a comment at the very start of a record
    if (src[i] === '#') {
      while (i < src.length && src[i] !== '\n') i++
      i++
      line++
      continue
    }
    const values: string[] = []
    let field = ''
    let quoted = false
    let wasQuoted = false
    let endOfRecord = false
    // quoted fields keep their spaces; bare ones are trimmed
    const push = (): void => { values.push(wasQuoted ? field : field.trim()); field = ''; wasQuoted = false }
    while (i < src.length && !endOfRecord) {
      const ch = src[i]
      if (quoted) {
        if (ch === '"' && src[i + 1] === '"') { field += '"'; i += 2; continue }
        if (ch === '"') { quoted = false; i++; continue }
        if (ch === '\n') line++
        field += ch
        i++
        continue
      }
      if (ch === '"' && !wasQuoted && field.trim() === '') {
        quoted = true
        wasQuoted = true
        field = ''
        i++
      } else if (ch === ',') {
        push()
        i++
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && src[i + 1] === '\n') i++
        i++
        line++
        endOfRecord = true
      } else {
        // text after a closing quote (`"a"b`) is kept but spaces around the quotes are not
        if (!(wasQuoted && (ch === ' ' || ch === '\t'))) field += ch
        i++
      }
    }
    if (quoted) throw new CsvSyntaxError('unterminated quoted field', startLine)
    push()
    if (values.length === 1 && values[0] === '') continue // blank line
    records.push({ line: startLine, values })
  }
  return records
}

/** The first record is the header; names are trimmed and lower-cased. */
export function parseCsv (text: string): CsvTable {
  const [head, ...records] = parseCsvRecords(text)
  if (head === undefined) return { header: [], headerLine: 0, records: [] }
  return { header: head.values.map(h => h.toLowerCase()), headerLine: head.line, records }
}
