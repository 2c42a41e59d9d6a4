// docs/manifest.md follows the schema: every property has a section with the schema's description,
// word for word, and its default; no section documents a property the schema lacks. The Task and
// Status types carry every schema property too.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { DIAGNOSTICS } from '../../runtime/errors.ts'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { schema } from '../../runtime/manifest/schema.ts'

const docs = readFileSync('docs/manifest.md', 'utf8')

interface Property {
  readonly path: string
  readonly description: string
  readonly default: unknown
}

function properties(): Property[] {
  const groups: Array<[string, Record<string, { description: string; default?: unknown }>]> = [
    ['', schema.properties],
    ['statuses[].', schema.definitions.status.properties],
    ['tasks[].', schema.definitions.task.properties]
  ]
  return groups.flatMap(([prefix, props]) =>
    Object.entries(props).map(([name, p]) => ({ path: prefix + name, description: p.description, default: p.default }))
  )
}

function sections(): Map<string, string> {
  const reference = docs.split(/^## /m).find((part) => part.startsWith('Reference\n')) ?? ''
  const map = new Map<string, string>()
  for (const part of reference.split(/^### /m).slice(1)) {
    const heading = /^`([^`]+)`\n/.exec(part)
    if (heading) map.set(heading[1]!, part)
  }
  return map
}

t.test('every schema property is documented with its description and default', async (t) => {
  const documented = sections()
  for (const p of properties()) {
    const section = documented.get(p.path)
    if (!section) {
      t.fail(`docs/manifest.md has no section "### \`${p.path}\`"`)
      continue
    }
    t.ok(typeof p.description === 'string' && p.description.length > 0, `${p.path} has a description in the schema`)
    t.ok(section.includes(p.description), `${p.path}: the schema's description, word for word`)
    if (p.default !== undefined) {
      t.ok(section.includes(`| \`${JSON.stringify(p.default)}\` |`), `${p.path}: default ${JSON.stringify(p.default)} in its table`)
    }
    t.match(section, /```yaml\n[^`]+```/, `${p.path}: an example`)
  }
})

t.test('no section documents a property the schema lacks', async (t) => {
  const known = new Set(properties().map((p) => p.path))
  t.same([...sections().keys()].filter((path) => !known.has(path)), [])
})

t.test('every object in the schema is closed and every property described', async (t) => {
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null) return
    const record = node as Record<string, unknown>
    if (record.type === 'object' && record.properties) t.equal(record.additionalProperties, false, `${where} is closed`)
    if (record.properties) {
      for (const [name, p] of Object.entries(record.properties as Record<string, Record<string, unknown>>)) {
        t.type(p.description, 'string', `${where}.${name} has a description`)
      }
    }
    for (const [key, value] of Object.entries(record)) walk(value, `${where}/${key}`)
  }
  walk(schema, '#')
  t.ok(schema.$schema && schema.$id && schema.title, '$schema, $id and title')
})

t.test('the diagnostics table lists every diagnostic code', async (t) => {
  for (const code of Object.keys(DIAGNOSTICS)) t.ok(docs.includes(`| \`${code}\` |`), code)
})

t.test('Task and Status carry every schema property', async (t) => {
  const { manifest } = await loadManifest('test/fixtures/manifests/valid-minimal.yaml')
  const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
  const taskKeys = Object.keys(manifest!.tasks[0]!)
  for (const name of Object.keys(schema.definitions.task.properties)) t.ok(taskKeys.includes(camel(name)), `Task.${camel(name)}`)
  const statusKeys = Object.keys(manifest!.statuses[0]!)
  for (const name of Object.keys(schema.definitions.status.properties)) t.ok(statusKeys.includes(camel(name)), `Status.${camel(name)}`)
})
