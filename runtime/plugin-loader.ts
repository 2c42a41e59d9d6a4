// Loads a plugin module (TypeScript or JavaScript) and holds it to the contract: the module
// exports `process`, a function, and nothing else. Every load reads the file afresh, so that the
// runtime can hot-reload a plugin that was edited.
import { statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { createJiti } from 'jiti'
import type { SystemProcess, TransientProcess } from './types.ts'
import { displayPath } from './manifest/diagnostics.ts'

export type PluginErrorCode = 'BLAST_PLUGIN_MISSING' | 'BLAST_PLUGIN_LOAD' | 'BLAST_PLUGIN_EXPORTS'

export interface Plugin {
  /** a TransientProcess or a SystemProcess, depending on the kind of the task that uses it */
  readonly process: TransientProcess | SystemProcess
}

export class PluginLoadError extends Error {
  readonly code: PluginErrorCode
  /** absolute path of the plugin */
  readonly file: string
  /** 1-based position inside the plugin, when the problem has one (syntax errors, throws at load) */
  readonly line: number | undefined
  readonly column: number | undefined

  constructor(
    code: PluginErrorCode,
    file: string,
    message: string,
    options: { line?: number; column?: number; cause?: unknown } = {}
  ) {
    super(message, { cause: options.cause })
    this.name = 'PluginLoadError'
    this.code = code
    this.file = file
    this.line = options.line
    this.column = options.column
  }
}

let jiti: ReturnType<typeof createJiti> | undefined

function loader(): ReturnType<typeof createJiti> {
  // no module cache and no disk cache: a load after an edit must see the edit
  jiti ??= createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: false })
  return jiti
}

/**
 * `source`, when given, is the text of the module as it was when it last validated: a later edit of
 * the file on disk does not reach the runs until it validates in turn (imports still read the disk).
 */
export async function loadPlugin(file: string, source?: string): Promise<Plugin> {
  const abs = resolve(file)
  const shown = displayPath(abs)
  if (source !== undefined) {
    let namespace: unknown
    try {
      namespace = await loader().evalModule(source, { filename: abs, ext: extname(abs), async: true })
    } catch (error) {
      throw loadError(abs, shown, error)
    }
    return { process: processOf(abs, shown, namespace) }
  }
  let isFile = false
  try {
    isFile = statSync(abs).isFile()
  } catch {
    // absent or unreadable: reported below
  }
  if (!isFile) throw new PluginLoadError('BLAST_PLUGIN_MISSING', abs, `${shown} does not exist`)

  let namespace: unknown
  try {
    namespace = await loader().import(abs)
  } catch (error) {
    throw loadError(abs, shown, error)
  }
  return { process: processOf(abs, shown, namespace) }
}

/** how much of a plugin's own error text a message quotes */
export const EXCERPT_CHARS = 300

/** at most EXCERPT_CHARS of one line: a plugin's error is quoted, never a file's content at length */
export function excerpt(text: string): string {
  const line = text.split('\n')[0]!.trim()
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS - 1)}…` : line
}

/**
 * A thrown value as a short line of text. Anything can be thrown, including values that cannot be
 * turned into text (Object.create(null), a Proxy whose traps throw): those are said to be so.
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return excerpt(`${value.name === 'Error' ? '' : `${value.name}: `}${String(value.message)}`)
    if (typeof value === 'string') return excerpt(value)
    if (typeof value !== 'object' && typeof value !== 'function') return excerpt(`${typeof value} ${String(value)}`)
    let text = String(value)
    if (text === '[object Object]') text = JSON.stringify(value) ?? text
    return excerpt(`a thrown ${Array.isArray(value) ? 'list' : typeof value} ${text}`)
  } catch {
    return 'a thrown value that cannot be turned into text'
  }
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error && typeof value.message === 'string'
  } catch {
    return false
  }
}

function loadError(abs: string, shown: string, error: unknown): PluginLoadError {
  if (!isError(error)) {
    return new PluginLoadError('BLAST_PLUGIN_LOAD', abs, `${shown} throws while loading: ${describeThrown(error)}`)
  }
  const err = error
  // jiti reports a syntax error as `ParseError: <what>\n <file>:<line>:<0-based column>`
  const parse = /^(?:Error: )?ParseError: ([^\n]*)\n\s*(.*):(\d+):(\d+)\s*$/s.exec(err.message)
  if (parse && resolve(parse[2]!) === abs) {
    return new PluginLoadError('BLAST_PLUGIN_LOAD', abs, `${shown} has a syntax error: ${excerpt(parse[1]!) || 'unexpected token'}`, {
      line: Number(parse[3]),
      column: Number(parse[4]) + 1,
      cause: error
    })
  }
  // the first line says it (Node appends the require stack to a missing import); a SyntaxError
  // here comes from code the plugin ran, such as JSON.parse, so its name is kept
  const reason = describeThrown(err)
  return new PluginLoadError('BLAST_PLUGIN_LOAD', abs, `${shown} throws while loading: ${reason}`, { ...stackLine(err, abs), cause: error })
}

// The plugin is compiled before it runs, with lines kept but columns shifted, so only the line of
// the frame is trustworthy.
function stackLine(error: Error, abs: string): { line?: number; column?: number } {
  for (const frame of (error.stack ?? '').split('\n')) {
    const at = frame.lastIndexOf(abs)
    if (at === -1) continue
    const match = /^:(\d+):\d+/.exec(frame.slice(at + abs.length))
    if (match) return { line: Number(match[1]), column: 1 }
  }
  return {}
}

function processOf(abs: string, shown: string, namespace: unknown): Plugin['process'] {
  const exported = exportsOf(namespace)
  const names = Object.keys(exported)
  const fail = (message: string): PluginLoadError => new PluginLoadError('BLAST_PLUGIN_EXPORTS', abs, `${shown} ${message}`)
  if (names.length === 0) throw fail('exports nothing; a plugin exports only process, a function')
  if (names.length > 1) throw fail(`exports ${quote(names)}; a plugin exports only process`)
  let value = exported[names[0]!]
  if (names[0] === 'default' && typeof value !== 'function') {
    // `export default { process }` counts, as long as it holds process alone
    if (typeof value !== 'object' || value === null) throw fail(`exports ${kindOf(value)} as default; a plugin exports only process, a function`)
    const inner = Object.keys(value)
    if (inner.length !== 1 || inner[0] !== 'process') {
      throw fail(`exports a default object with ${inner.length === 0 ? 'nothing' : quote(inner)}; a plugin exports only process`)
    }
    value = (value as { process: unknown }).process
  } else if (names[0] !== 'default' && names[0] !== 'process') {
    throw fail(`exports ${quote(names)}; a plugin exports only process`)
  }
  if (typeof value !== 'function') throw fail(`exports "process" as ${kindOf(value)}; process must be a function`)
  return value as Plugin['process']
}

// A CommonJS module comes back as its bare `module.exports` (in a `"type": "module"` package) or as
// `module.exports` plus Node's interop names; either way its exports are what it assigned.
function exportsOf(namespace: unknown): Record<string, unknown> {
  if (namespace === null || namespace === undefined) return {}
  if (typeof namespace !== 'object') return { default: namespace }
  const record = namespace as Record<string, unknown>
  if ('module.exports' in record) {
    const cjs = record['module.exports']
    if (typeof cjs === 'function') return { default: cjs }
    if (typeof cjs === 'object' && cjs !== null) return { ...cjs }
    return cjs === undefined ? {} : { default: cjs }
  }
  const exported: Record<string, unknown> = {}
  for (const name of Object.keys(record)) if (name !== '__esModule') exported[name] = record[name]
  return exported
}

function quote(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ')
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  const type = typeof value
  return type === 'object' ? 'an object' : type === 'undefined' ? 'undefined' : `a ${type}`
}
