// `blast-tasks new <name> [--after <task>]…`: one YAML entry and one function, written for you.
// The entry is inserted as text at the end of the manifest's task list, so the rest of the file —
// comments, order, layout — stays as it was; the edited text is validated before anything is
// written, and an existing plugin file is kept, never overwritten.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import { displayPath } from '../manifest/diagnostics.ts'
import { formatDiagnostic, loadManifest, slugify } from '../manifest/index.ts'
import { validateManifestText } from '../manifest/index.ts'
import { closest } from '../manifest/suggest.ts'
import { loadSettings } from '../settings.ts'
import type { Manifest, Task } from '../types.ts'

export const usage = `usage: blast-tasks new <name> [--after <task>]... [--system] [--every <seconds>] [--disabled]
                        [--description <text>] [--manifest <path>]

Adds a task to the manifest (default BLAST_MANIFEST or ./blast.tasks.yaml) and writes its plugin
from a template to plugins/<name in kebab-case>.ts (a plugin already there is kept). The rest of
the manifest is left as it was, and the edited manifest is validated before anything is written.

A running runtime applies a saved manifest by itself. To try the plugin first, add the task with
--disabled (it runs only with \`blast-tasks run\` until you enable it), or add it to a copy of the
manifest (--manifest next.yaml), preview the copy with \`blast-tasks plan next.yaml\`, then move
it over blast.tasks.yaml.

options:
  --after <task>        a prerequisite that must be "processed"; repeat it for several
  --system              a system task: runs on its schedule, on no transient
  --every <seconds>     frequency_seconds (default 60)
  --disabled            declare enabled: false
  --description <text>  what the task does
  --manifest <path>     the manifest to add the task to
  -h, --help            this help`

export async function run (args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        after: { type: 'string', multiple: true, default: [] },
        system: { type: 'boolean', default: false },
        every: { type: 'string' },
        disabled: { type: 'boolean', default: false },
        description: { type: 'string' },
        manifest: { type: 'string' }
      }
    })
  } catch (error) {
    io.err(usageError('new', usage, error))
    return EXIT.usage
  }
  const { values, positionals } = parsed
  const name = positionals[0]?.trim() ?? ''
  const every = values.every === undefined ? undefined : Number(values.every)
  const problem = positionals.length !== 1 || name === ''
    ? `name one task; got ${positionals.length === 0 ? 'none' : positionals.map(p => JSON.stringify(p)).join(' ')} (quote a name with spaces)`
    : values.system && values.after.length
      ? 'a system task has no prerequisites; drop --after or --system'
      : every !== undefined && !(Number.isInteger(every) && every >= 1 && every <= 604800)
        ? `--every must be a whole number of seconds from 1 to 604800; got "${values.every}"`
        : null
  if (problem) {
    io.err(usageError('new', usage, problem))
    return EXIT.usage
  }

  const file = values.manifest ?? loadSettings().manifest
  const { manifest, diagnostics } = await loadManifest(file, { checkPlugins: false })
  if (!manifest) {
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    io.err(`blast-tasks new: ${displayPath(file)} has errors; fix them first, nothing was written`)
    return EXIT.failed
  }
  const refusal = check(manifest, name, values.after)
  if (refusal) {
    io.err(`blast-tasks new: ${refusal}`)
    return EXIT.failed
  }

  const text = await readFile(manifest.file, 'utf8')
  const entry = { name, after: values.after, system: values.system, every, disabled: values.disabled, description: values.description }
  const edited = insertTask(text, entry)
  if ('problem' in edited) {
    io.err(`blast-tasks new: ${edited.problem}; add the task by hand`)
    return EXIT.failed
  }
  const result = await validateManifestText(edited.text, { file: manifest.file, dir: manifest.dir, checkPlugins: false })
  const task = result.manifest?.tasks.find(t => t.name === name)
  if (!result.manifest || !task) {
    for (const d of result.diagnostics) io.err(formatDiagnostic(d))
    io.err(`blast-tasks new: the edited manifest would not be valid; nothing was written`)
    return EXIT.failed
  }

  // the plugin first: a runtime watching the manifest then never sees a task without its plugin
  const kept = existsSync(task.plugin)
  if (!kept) {
    await mkdir(dirname(task.plugin), { recursive: true })
    await writeFile(task.plugin, pluginTemplate(task), { flag: 'wx' })
  }
  await writeFile(manifest.file, edited.text)

  const shownPlugin = displayPath(task.plugin)
  io.out(`added "${name}" to ${displayPath(manifest.file)} (line ${edited.line})`)
  io.out(kept ? `kept the existing plugin ${shownPlugin}` : `wrote ${shownPlugin} from the template`)
  io.out(task.kind === 'system'
    ? `next: write the plugin; the runtime runs it every ${task.frequencySeconds} s once it applies the manifest`
    : `next: write the plugin and try it on one transient:\n  npx blast-tasks run ${shellQuote(name)} --transient <name>${values.manifest ? ` --manifest ${shellQuote(values.manifest)}` : ''}`)
  return EXIT.ok
}

function check (manifest: Manifest, name: string, after: readonly string[]): string | null {
  const names = manifest.tasks.map(t => t.name)
  if (names.includes(name)) return `task "${name}" is already declared in ${displayPath(manifest.file)}`
  const slug = slugify(name)
  const twin = manifest.tasks.find(t => t.slug === slug)
  if (twin) return `task "${name}" would share the plugin and queue name "${slug}" with "${twin.name}"; choose another name`
  for (const parent of after) {
    const task = manifest.tasks.find(t => t.name === parent)
    if (!task) {
      const guess = closest(parent, names)
      return `--after "${parent}" is not a task of ${displayPath(manifest.file)};${guess ? ` did you mean "${guess}"?` : ''} declared: ${names.join(', ')}`
    }
    if (task.kind === 'system') return `--after "${parent}" is a system task; a transient task can only wait on transient tasks`
  }
  return null
}

// ---- the manifest text ----

export interface NewTask {
  readonly name: string
  readonly after: readonly string[]
  readonly system: boolean
  readonly every?: number | undefined
  readonly disabled: boolean
  readonly description?: string | undefined
}

const KEYWORD = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i
const NUMBER = /^[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:e[-+]?\d+)?$/i

/** a YAML scalar: plain when that reads back as the same string, else double-quoted (JSON is valid YAML) */
export function yamlScalar (value: string, inFlow = false): string {
  // in a block any text goes but ": " and " #"; inside { } the flow indicators , [ ] { } end it too
  const plain = inFlow ? /^[\p{L}\p{N}][\p{L}\p{N} _.()/+'-]*$/u.test(value) : /^[\p{L}\p{N}][^\n]*$/u.test(value) && !/: |\s#|:$/.test(value)
  return plain && !/\s$/.test(value) && !KEYWORD.test(value) && !NUMBER.test(value) ? value : JSON.stringify(value)
}

/** The manifest text with the task appended to `tasks:`, and the line it starts on; or why not. */
export function insertTask (text: string, task: NewTask): { text: string; line: number } | { problem: string } {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  const at = lines.findIndex(l => /^tasks\s*:/.test(l))
  if (at !== -1 && !/^tasks\s*:\s*(#.*)?$/.test(lines[at])) return { problem: 'the tasks of this manifest are written inline (tasks: [...])' }
  let end = lines.length
  let indent = '  '
  let spaced = false
  if (at === -1) {
    lines.push('', 'tasks:')
    end = lines.length
  } else {
    for (let i = at + 1; i < lines.length; i++) {
      if (/^[^\s#-]/.test(lines[i]) || /^(?:---|\.\.\.)\s*$/.test(lines[i])) { end = i; break }
    }
    // comments and blank lines just before the next key belong to it
    while (end > at + 1 && (lines[end - 1].trim() === '' || /^#/.test(lines[end - 1])) && end < lines.length) end--
    const items = lines.slice(at + 1, end).filter(l => /^\s*- /.test(l))
    const first = /^(\s*)- /.exec(items[0] ?? '')
    if (first) indent = first[1]
    spaced = lines.slice(at + 1, end).some((l, i, all) => l.trim() === '' && /^\s*- /.test(all[i + 1] ?? ''))
    // trailing blank lines of the block stay after the new entry
    while (end > at + 1 && lines[end - 1].trim() === '') end--
  }
  const field = `${indent}  `
  const entry = [`${indent}- name: ${yamlScalar(task.name)}`]
  if (task.system) entry.push(`${field}kind: system`)
  if (task.after.length) entry.push(`${field}prerequisites: { ${task.after.map(p => `${yamlScalar(p, true)}: processed`).join(', ')} }`)
  if (task.every !== undefined) entry.push(`${field}frequency_seconds: ${task.every}`)
  if (task.disabled) entry.push(`${field}enabled: false`)
  if (task.description) entry.push(`${field}description: ${yamlScalar(task.description)}`)
  const block = spaced ? ['', ...entry] : entry
  lines.splice(end, 0, ...block)
  return { text: `${lines.join('\n')}\n`, line: end + block.length - entry.length + 1 }
}

// ---- the plugin template ----

function identifier (name: string): string {
  const words = slugify(name).split('-').filter(Boolean)
  const id = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(id) ? id : `task${id.replace(/[^\p{L}\p{N}_$]/gu, '')}`
}

export function pluginTemplate (task: Task): string {
  const what = task.description ? `: ${task.description}` : ''
  if (task.kind === 'system') {
    return `// System task "${task.name}"${what}
// Runs every ${task.frequencySeconds} s, on no transient; ctx.transients reads and upserts transients.
import type { SystemContext, TaskResult } from 'blast-tasks'

export async function process (ctx: SystemContext): Promise<TaskResult | void> {
  const transients = await ctx.transients.list({ limit: 1000 })
  ctx.log.info('%d transients', transients.length)
  return { status: 'processed', output: { transients: transients.length } }
}
`
  }
  const parents = Object.keys(task.prerequisites)
  const reads = parents.map(p => `  const ${identifier(p)} = transient.tasks[${tsString(p)}].output as Record<string, unknown>\n`).join('')
  const logged = parents.length ? parents.map(identifier).join(', ') : 'transient.data'
  return `// Transient task "${task.name}"${what}
// Try it on one transient (nothing is written): npx blast-tasks run ${shellQuote(task.name)} --transient <name>
import type { TaskContext, TaskResult, Transient } from 'blast-tasks'

export async function process (transient: Transient, ctx: TaskContext): Promise<TaskResult> {
${reads ? `  // what the prerequisites produced\n${reads}` : ''}  ctx.log.info('%s: %j', transient.name, ${parents.length > 1 ? `{ ${logged} }` : logged})
  // compute here; return a status declared in the manifest, with any JSON as output
  return { status: 'processed', output: { ra_deg: transient.ra_deg, dec_deg: transient.dec_deg } }
}
`
}

function tsString (value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function shellQuote (value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`
}
