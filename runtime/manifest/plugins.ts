// Finds the plugin file of each task, keeps it inside the manifest's folder and, when asked, loads
// it and checks the contract. Loads happen in a throwaway worker (plugin-probe.ts), once per file
// within one validation: a thousand tasks sharing three plugins load three files.
import { readdirSync, realpathSync, statSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { Diagnostic } from '../types.ts'
import { START, diagnostic, displayPath, quoteList } from './diagnostics.ts'
import type { Position } from './diagnostics.ts'
import type { TaskEntry } from './rules.ts'
import type { Source } from './source.ts'
import { probePlugins } from './plugin-probe.ts'
import { closest } from './suggest.ts'

/** the names a plugin is looked for under, in order, when the manifest gives none (or no extension) */
export const PLUGIN_EXTENSIONS = ['.ts', '.js', '.mjs'] as const
/** what a plugin may be: a JavaScript or TypeScript module, nothing else */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const
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

/** true when `file` is `dir` or below it */
function within(dir: string, file: string): boolean {
  const rel = relative(dir, file)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

function realpath(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return resolve(file)
  }
}

export function resolvePlugin(dir: string, slug: string, written: unknown, probe: FileProbe): ResolvedPlugin {
  if (typeof written === 'string' && written !== '') {
    const file = resolve(dir, written)
    // a path that leaves the folder is not even looked at: its existence is none of the caller's business
    if (!within(dir, file)) return { ref: written, file, found: false, tried: [], explicit: true }
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

/** where a diagnostic about a task's plugin points: the `plugin` value, or the task's name for the default */
function pluginAt(source: Source, use: PluginUse): Position {
  return use.plugin.explicit ? source.valueAt(['tasks', use.task.index, 'plugin']) : source.valueAt(['tasks', use.task.index, 'name'])
}

/**
 * The plugins that may not be loaded at all, whether or not plugins are checked: a path outside the
 * manifest's folder (as written, or once symbolic links are followed) and a file that is no module.
 * Returns the diagnostics and the uses that passed.
 */
export function confinePlugins(
  source: Source,
  manifestFile: string,
  dir: string,
  uses: readonly PluginUse[]
): { diagnostics: Diagnostic[]; allowed: PluginUse[] } {
  const diagnostics: Diagnostic[] = []
  const allowed: PluginUse[] = []
  let realDir: string | undefined
  for (const use of uses) {
    const { plugin, task } = use
    const whose = plugin.explicit ? `plugin ${JSON.stringify(plugin.ref)} of task ${JSON.stringify(task.name)}` : `the plugin ${plugin.ref} of task ${JSON.stringify(task.name)}`
    const folder = `the manifest's folder ${displayPath(dir)}`
    const rule = 'a plugin must be inside it (move the file in, or the manifest up)'
    const refuse = (code: 'BLAST_PLUGIN_OUTSIDE' | 'BLAST_PLUGIN_EXTENSION', message: string): void => {
      diagnostics.push(diagnostic(manifestFile, pluginAt(source, use), 'error', code, message))
    }
    if (!within(dir, plugin.file)) {
      refuse('BLAST_PLUGIN_OUTSIDE', `${whose} is outside ${folder}; ${rule}`)
      continue
    }
    if (plugin.found) {
      realDir ??= realpath(dir)
      if (!within(realDir, realpath(plugin.file))) {
        refuse('BLAST_PLUGIN_OUTSIDE', `${whose} leads outside ${folder} through a symbolic link; ${rule}`)
        continue
      }
    }
    const ext = extname(plugin.file)
    if ((plugin.found || ext !== '') && !(MODULE_EXTENSIONS as readonly string[]).includes(ext)) {
      const what = ext === '' ? 'a file without an extension' : `a ${ext} file`
      refuse('BLAST_PLUGIN_EXTENSION', `${whose} is ${what}; a plugin is a module: ${MODULE_EXTENSIONS.join(', ')}`)
      continue
    }
    allowed.push(use)
  }
  return { diagnostics, allowed }
}

export async function checkPlugins(
  source: Source,
  manifestFile: string,
  dir: string,
  uses: readonly PluginUse[],
  tasksListed: boolean,
  timeoutMs?: number
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = []
  const at = (use: PluginUse): Position => pluginAt(source, use)

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

  const loads = await probePlugins([...byFile.keys()], timeoutMs)
  for (const [file, err] of loads) {
    if (err === undefined) continue
    const users = byFile.get(file)!
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
