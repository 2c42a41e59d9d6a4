// The manifest edge: YAML text in, diagnostics and a frozen Manifest out. Only this folder reads
// blast.tasks.yaml; everything downstream receives the Manifest.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Diagnostic, Manifest } from '../types.ts'
import { buildManifest } from './build.ts'
import { START, diagnostic, displayPath, hasErrors, sortDiagnostics } from './diagnostics.ts'
import { FileProbe, checkPlugins, confinePlugins, resolvePlugin } from './plugins.ts'
import { checkRules } from './rules.ts'
import { checkSchema } from './schema.ts'
import { parseSource } from './source.ts'

export { formatDiagnostic, formatDiagnostics, summarize } from './diagnostics.ts'
export { renderGraph } from './graph.ts'
export type { GraphFormat } from './graph.ts'
export { slugify } from './slug.ts'

export interface ValidationResult {
  /** null when any diagnostic is an error */
  readonly manifest: Manifest | null
  /** every problem found, sorted by file, line and column */
  readonly diagnostics: Diagnostic[]
}

export interface LoadOptions {
  /** load every plugin and check its exports, and warn about unused files in plugins/ (default true) */
  readonly checkPlugins?: boolean
  /** the time the plugins of one manifest may take to load, in the probe worker (default 10 000 ms) */
  readonly pluginTimeoutMs?: number
}

export interface TextOptions extends LoadOptions {
  /** the file name the text is reported under (and Manifest.file) */
  readonly file: string
  /** the folder plugin paths are relative to */
  readonly dir: string
}

export async function loadManifest(file: string, options: LoadOptions = {}): Promise<ValidationResult> {
  const abs = resolve(file)
  let text: string
  try {
    text = await readFile(abs, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`
    return {
      manifest: null,
      diagnostics: [diagnostic(displayPath(abs), START, 'error', 'BLAST_MANIFEST_READ', `the manifest ${displayPath(abs)} ${reason}`)]
    }
  }
  return validateManifestText(text, { ...options, file: abs, dir: dirname(abs) })
}

export async function validateManifestText(text: string, options: TextOptions): Promise<ValidationResult> {
  const file = resolve(options.file)
  const dir = resolve(options.dir)
  const shown = displayPath(file)
  try {
    return await validate(text, file, dir, shown, options.checkPlugins ?? true, options.pluginTimeoutMs)
  } catch (error) {
    // a bug of ours must not take down whoever asked; report it like any other problem
    return {
      manifest: null,
      diagnostics: [diagnostic(shown, START, 'error', 'BLAST_VALIDATOR_FAILED', `the validator failed (${error instanceof Error ? error.message : String(error)}); please report it with this manifest`)]
    }
  }
}

async function validate(text: string, file: string, dir: string, shown: string, withPlugins: boolean, timeoutMs: number | undefined): Promise<ValidationResult> {
  const source = parseSource(typeof text === 'string' ? text : String(text))
  const toDiagnostic = (p: (typeof source.problems)[number]): Diagnostic => diagnostic(shown, p.at, p.severity, p.code, p.message)
  const diagnostics = source.problems.map(toDiagnostic)
  // the node tree of a text with syntax errors is a guess; checks on it would report noise
  if (source.data === undefined && hasErrors(diagnostics)) return { manifest: null, diagnostics: sortDiagnostics(diagnostics, shown) }

  diagnostics.push(...checkSchema(source).map(toDiagnostic))
  const rules = checkRules(source)
  diagnostics.push(...rules.problems.map(toDiagnostic))

  const probe = new FileProbe()
  const uses = rules.tasks.map((task) => ({ task, plugin: resolvePlugin(dir, task.slug, task.raw.plugin, probe) }))
  // a plugin value of the wrong type is the schema's to report; looking for a default would add noise
  const checkable = uses.filter((u) => u.task.raw.plugin === undefined || (typeof u.task.raw.plugin === 'string' && u.task.raw.plugin !== ''))
  // confinement holds whether or not plugins are loaded: a manifest never names code outside its folder
  const confined = confinePlugins(source, shown, dir, checkable)
  diagnostics.push(...confined.diagnostics)
  if (withPlugins) {
    const listed = typeof source.data === 'object' && source.data !== null && Array.isArray((source.data as { tasks?: unknown }).tasks)
    diagnostics.push(...(await checkPlugins(source, shown, dir, confined.allowed, listed, timeoutMs)))
  }

  const sorted = sortDiagnostics(diagnostics, shown)
  if (hasErrors(sorted)) return { manifest: null, diagnostics: sorted }
  const tasks = uses.map((u) => ({ entry: u.task, plugin: u.plugin }))
  return { manifest: buildManifest(file, dir, rules.statuses, tasks), diagnostics: sorted }
}
