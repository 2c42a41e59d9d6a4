// Finds the plugin file of each task and, when asked, loads it and checks the contract. Loads are
// cached per file within one validation: a thousand tasks sharing three plugins load three files.
import { readdirSync, statSync } from 'node:fs'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import { PluginLoadError, loadPlugin } from '../plugin-loader.ts'
import type { Diagnostic } from '../types.ts'
import { START, diagnostic, displayPath, quoteList } from './diagnostics.ts'
import type { Position } from './diagnostics.ts'
import type { TaskEntry } from './rules.ts'
import type { Source } from './source.ts'
import { closest } from './suggest.ts'

export const PLUGIN_EXTENSIONS = ['.ts', '.js', '.mjs'] as const
export const PLUGINS_FOLDER = 'plugins'

export interface ResolvedPlugin {
  /** as written, or the default that was found (relative to the manifest, with `/`) */
  readonly ref: string
  /** absolute path */
  readonly file: string
  readonly found: boolean
  /** every absolute path looked at, in order */
  readonly tried: readonly string[]
  readonly explicit: boolean
}

/** Stats each path once per validation. */
export class FileProbe {
  #cache = new Map<string, boolean>()

  isFile(file: string): boolean {
    let known = this.#cache.get(file)
    if (known === undefined) {
      try {
        known = statSync(file).isFile()
      } catch {
        known = false
      }
      this.#cache.set(file, known)
    }
    return known
  }
}

export function resolvePlugin(dir: string, slug: string, written: unknown, probe: FileProbe): ResolvedPlugin {
  if (typeof written === 'string' && written !== '') {
    const file = resolve(dir, written)
    const tried = [file]
    if (extname(written) === '') tried.push(...PLUGIN_EXTENSIONS.map((ext) => file + ext))
    const hit = tried.find((f) => probe.isFile(f))
    return { ref: written, file: hit ?? file, found: hit !== undefined, tried, explicit: true }
  }
  const refs = PLUGIN_EXTENSIONS.map((ext) => `${PLUGINS_FOLDER}/${slug}${ext}`)
  const tried = refs.map((ref) => resolve(dir, ref))
  const at = tried.findIndex((f) => probe.isFile(f))
  // without a file on disk the TypeScript name is the one to create
  const index = at === -1 ? 0 : at
  return { ref: refs[index]!, file: tried[index]!, found: at !== -1, tried, explicit: false }
}

interface PluginUse {
  readonly task: TaskEntry
  readonly plugin: ResolvedPlugin
}

export async function checkPlugins(
  source: Source,
  manifestFile: string,
  dir: string,
  uses: readonly PluginUse[],
  tasksListed: boolean
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = []
  const at = (use: PluginUse): Position =>
    use.plugin.explicit ? source.valueAt(['tasks', use.task.index, 'plugin']) : source.valueAt(['tasks', use.task.index, 'name'])

  const byFile = new Map<string, PluginUse[]>()
  for (const use of uses) {
    if (!use.plugin.found) {
      diagnostics.push(diagnostic(manifestFile, at(use), 'error', 'BLAST_PLUGIN_MISSING', missingMessage(use)))
      continue
    }
    const list = byFile.get(use.plugin.file) ?? []
    list.push(use)
    byFile.set(use.plugin.file, list)
  }

  const loads = await Promise.all(
    [...byFile.keys()].map(async (file) => {
      try {
        await loadPlugin(file)
        return { file, error: undefined }
      } catch (error) {
        return { file, error }
      }
    })
  )
  for (const { file, error } of loads) {
    if (error === undefined) continue
    const users = byFile.get(file)!
    const err =
      error instanceof PluginLoadError
        ? error
        : new PluginLoadError('BLAST_PLUGIN_LOAD', file, `${displayPath(file)} does not load: ${String(error)}`, { cause: error })
    if (err.line !== undefined) {
      // the problem is inside the plugin: point there, once, naming every task that uses it
      const names = users.map((u) => u.task.name)
      const whose = `plugin of ${names.length === 1 ? 'task' : 'tasks'} ${quoteList(names)}`
      diagnostics.push(
        diagnostic(displayPath(file), { line: err.line, column: err.column ?? 1 }, 'error', err.code, `${err.message} (${whose})`)
      )
    } else {
      for (const use of users) diagnostics.push(diagnostic(manifestFile, at(use), 'error', err.code, err.message))
    }
  }

  if (tasksListed) diagnostics.push(...unusedPlugins(dir, uses))
  return diagnostics
}

function missingMessage(use: PluginUse): string {
  const tried = use.plugin.tried.map((f) => displayPath(f)).join(', ')
  const guess = nearbyFile(use.plugin.tried[0]!)
  const hint = guess === undefined ? '' : `; did you mean ${displayPath(guess)}?`
  if (use.plugin.explicit) {
    return `plugin ${JSON.stringify(use.plugin.ref)} of task ${JSON.stringify(use.task.name)} does not exist; tried ${tried}${hint}`
  }
  return `task ${JSON.stringify(use.task.name)} has no plugin; tried ${tried}${hint} (create one, or set plugin)`
}

/** A file next to the missing one whose name is close: `host_match.ts` for `host-match.ts`. */
function nearbyFile(missing: string): string | undefined {
  const folder = dirname(missing)
  let names: string[]
  try {
    names = readdirSync(folder).filter((n) => PLUGIN_EXTENSIONS.some((ext) => n.endsWith(ext)))
  } catch {
    return undefined
  }
  const stem = (n: string): string => basename(n, extname(n))
  const byStem = new Map(names.map((n) => [stem(n), n]))
  const guess = closest(stem(missing), byStem.keys())
  return guess === undefined ? undefined : join(folder, byStem.get(guess)!)
}

/**
 * Top-level modules of the manifest's plugins/ folder that no task uses. Subfolders hold helpers
 * and data and are never reported.
 */
function unusedPlugins(dir: string, uses: readonly PluginUse[]): Diagnostic[] {
  const folder = join(dir, PLUGINS_FOLDER)
  let entries
  try {
    entries = readdirSync(folder, { withFileTypes: true })
  } catch {
    return []
  }
  const used = new Set(uses.map((u) => u.plugin.file))
  const diagnostics: Diagnostic[] = []
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.d.ts')) continue
    if (!PLUGIN_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) continue
    const file = join(folder, entry.name)
    if (used.has(file)) continue
    const rel = relative(dir, file).split(sep).join('/')
    diagnostics.push(
      diagnostic(
        displayPath(file),
        START,
        'warning',
        'BLAST_PLUGIN_UNUSED',
        `${rel} is not used by any task; add a task for it, delete it, or move shared code into a subfolder such as ${PLUGINS_FOLDER}/lib/`
      )
    )
  }
  return diagnostics
}
