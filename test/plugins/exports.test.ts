// The plugin contract of the example's plugins/ (examples/pipeline/): each module exports `process` and nothing else, and the
// manifest and the folder agree (every task has its file, every file serves a task).
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'

const EXAMPLE = resolve(import.meta.dirname, '../../examples/pipeline')
const PLUGINS = join(EXAMPLE, 'plugins')

const files = (await readdir(PLUGINS, { withFileTypes: true }))
  .filter(entry => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name))
  .map(entry => entry.name)
  .sort()

t.test('every plugin exports only process, a function', async t => {
  t.ok(files.length >= 6, `found ${files.join(', ')}`)
  for (const file of files) {
    const mod = await import(pathToFileURL(join(PLUGINS, file)).href) as Record<string, unknown>
    t.same(Object.keys(mod), ['process'], `${file} exports only process`)
    t.equal(typeof mod.process, 'function', `${file}: process is a function`)
  }
})

t.test('the manifest and plugins/ agree', async t => {
  const manifest = parse(await readFile(join(EXAMPLE, 'blast.tasks.yaml'), 'utf8')) as { tasks: Array<{ name: string; plugin?: string }> }
  // the runtime's default plugin path: plugins/<kebab-case of the name>.ts
  const kebab = (name: string): string => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')
  const wanted = manifest.tasks.map(task => {
    t.equal(task.plugin, undefined, `${task.name} uses the default plugin path`)
    return `${kebab(task.name)}.ts`
  })
  t.same([...wanted].sort(), files, 'one plugin file per task, none unused')
})
