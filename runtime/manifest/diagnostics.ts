// Building, ordering and printing diagnostics. A diagnostic always has a file, a 1-based line and
// column, a severity, a code from DIAGNOSTICS and a one-line message that says what is wrong and
// what is allowed.
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { DiagnosticCode } from '../errors.ts'
import type { Diagnostic, Severity } from '../types.ts'

export interface Position {
  readonly line: number
  readonly column: number
}

export const START: Position = Object.freeze({ line: 1, column: 1 })

/** A file name as users see it: relative to the working directory when inside it, with `/`. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, file)
  const rel = relative(cwd, abs)
  const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  return (inside ? rel : abs).split(sep).join('/')
}

export function diagnostic(
  file: string,
  at: Position,
  severity: Severity,
  code: DiagnosticCode,
  message: string
): Diagnostic {
  return {
    file,
    // never below 1, whatever a foreign parser reported
    line: Math.max(1, Math.trunc(at.line) || 1),
    column: Math.max(1, Math.trunc(at.column) || 1),
    severity,
    code,
    // one diagnostic, one line
    message: message.replace(/\s*\n\s*/g, ' ').trim()
  }
}

/**
 * Orders diagnostics by file (the manifest first, then the others by name), line and column;
 * equal positions keep the order they were found in. Exact repeats are dropped.
 */
export function sortDiagnostics(list: readonly Diagnostic[], firstFile?: string): Diagnostic[] {
  const seen = new Set<string>()
  const unique = list.filter((d) => {
    const key = formatDiagnostic(d)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
  const rank = (d: Diagnostic): number => (d.file === firstFile ? 0 : 1)
  return unique.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column
  )
}

/** `blast.tasks.yaml:14:7 error BLAST_UNKNOWN_STATUS prerequisite status "procesed" is not declared; …` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`
}

export function formatDiagnostics(list: readonly Diagnostic[]): string {
  return list.map(formatDiagnostic).join('\n')
}

/** `2 errors, 1 warning` */
export function summarize(list: readonly Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === 'error').length
  const warnings = list.length - errors
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`
}

export function hasErrors(list: readonly Diagnostic[]): boolean {
  return list.some((d) => d.severity === 'error')
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** `"a", "b", "c"` */
export function quoteList(items: Iterable<string>): string {
  return [...items].map((s) => JSON.stringify(s)).join(', ')
}
