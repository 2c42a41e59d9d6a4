// Bad manifests at scale: the validator never throws, never hangs and never reports a problem of its
// own (BLAST_VALIDATOR_FAILED: what validateManifestText answers when the validator itself throws), whatever it is given — random bytes, random text, hostile YAML (alias bombs,
// deep nesting, tags), and valid manifests mutated by fast-check at the tree and at the text level.
// Every failure is a diagnostic with a file, a line and a column inside the text, a known code and
// a message. Seeded, so a failure reproduces (fast-check prints the seed and the shrunk input).
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import t from 'tap'
import { parse, stringify } from 'yaml'
import { DIAGNOSTICS } from '../../runtime/errors.ts'
import { validateManifestText } from '../../runtime/manifest/index.ts'
import type { Diagnostic } from '../../runtime/types.ts'

const SEED = Number(process.env.FUZZ_SEED) || 20260530
const RUNS = Number(process.env.FUZZ_RUNS) || 250
/** one validation taking longer than this is a hang (a generous bound for a shared machine) */
const HANG_MS = 10000

const ROOT = new URL('../../', import.meta.url).pathname
const BASES = [
  { file: `${ROOT}examples/pipeline/blast.tasks.yaml`, dir: `${ROOT}examples/pipeline` },
  { file: `${ROOT}test/reliability/fixtures/manifests/hot-reload.yaml`, dir: `${ROOT}test/reliability/fixtures` },
  { file: `${ROOT}test/reliability/fixtures/manifests/bad-plugins.yaml`, dir: `${ROOT}test/reliability/fixtures` },
  { file: `${ROOT}test/fixtures/manifests/valid-blast.yaml`, dir: `${ROOT}test/fixtures/manifests` }
].map(base => ({ ...base, text: readFileSync(base.file, 'utf8') }))

/** what validateManifestText reports when the validator itself crashed (runtime/manifest/index.ts) */
const CRASH = 'BLAST_VALIDATOR_FAILED'
// the codes a sound validation may report: every diagnostic but the crash
const KNOWN = new Set(Object.keys(DIAGNOSTICS).filter(code => code !== CRASH))

/** the problems with a validation's answer; empty when it keeps every promise */
function broken (text: string, result: { manifest: unknown; diagnostics: Diagnostic[] }): string[] {
  const problems: string[] = []
  const lines = text.split(/\r\n|\r|\n/).length
  for (const d of result.diagnostics) {
    const where = `${d.file}:${d.line}:${d.column} ${d.code}`
    if (d.code === CRASH) problems.push(`the validator failed: ${d.message.slice(0, 500)}`)
    else if (!KNOWN.has(d.code)) problems.push(`${where}: unknown code`)
    if (typeof d.file !== 'string' || d.file === '') problems.push(`${where}: no file`)
    if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines + 1) problems.push(`${where}: line outside the text (${lines} lines)`)
    if (!Number.isInteger(d.column) || d.column < 1) problems.push(`${where}: column < 1`)
    if (d.severity !== 'error' && d.severity !== 'warning') problems.push(`${where}: severity ${String(d.severity)}`)
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`${where}: empty message`)
  }
  const errors = result.diagnostics.some(d => d.severity === 'error')
  if (errors === (result.manifest !== null)) problems.push(`manifest ${result.manifest === null ? 'null without an error' : 'built despite an error'}`)
  return problems
}

async function check (text: string, base: { file: string; dir: string }, checkPlugins: boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer after ${HANG_MS} ms`)), HANG_MS) })
  try {
    const result = await Promise.race([validateManifestText(text, { file: base.file, dir: base.dir, checkPlugins }), hang])
    const problems = broken(text, result)
    if (problems.length) throw new Error(problems.join('\n'))
  } finally {
    clearTimeout(timer)
  }
}

const base = fc.constantFrom(...BASES)

// ---- tree mutations: parse a base, change one place, print it back ----

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Mutation = { kind: 'set' | 'delete' | 'duplicate' | 'rename'; at: number[]; value: Json; key: string }

const VALUES: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, 0, -1, 1.5, 1e400, '', 'processed', 'not processed', 'Task A', '\u0000', true, [], {}, ['x'], { name: 'x' }, 'x'.repeat(300),
    'plugins/../../../etc/passwd', 'plugins/step.ts', '*/5 * * * *', 604801, 86401, 2 ** 53),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>
)
const KEYS = fc.oneof(fc.constantFrom('name', 'tasks', 'statuses', 'kind', 'plugin', 'prerequisites', 'failed_status', 'frequency_seconds', 'enabled',
  'timeout_seconds', 'retries', 'description', 'message', 'type', 'version', 'Task A', 'x y', '', '__proto__', 'constructor'), fc.string({ maxLength: 12 }))

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'delete', 'duplicate', 'rename'),
  at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  value: VALUES,
  key: KEYS
})

/** applies a mutation at a path chosen by indexes into the keys of each level */
function mutate (root: Json, m: Mutation): Json {
  const top = structuredClone(root)
  let node: Json = top
  for (let depth = 0; depth < m.at.length; depth++) {
    if (node === null || typeof node !== 'object') break
    const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)
    if (keys.length === 0) break
    const key = keys[m.at[depth] % keys.length]
    const child: Json = (node as Record<string | number, Json>)[key]
    const last = depth === m.at.length - 1 || child === null || typeof child !== 'object'
    if (!last) { node = child; continue }
    const holder = node as Record<string | number, Json>
    switch (m.kind) {
      case 'set': holder[key] = m.value; break
      case 'delete': if (Array.isArray(node)) node.splice(key as number, 1); else delete holder[key]; break
      case 'duplicate': if (Array.isArray(node)) node.splice(key as number, 0, structuredClone(child)); else holder[`${String(key)}`] = structuredClone(child); break
      case 'rename':
        if (!Array.isArray(node)) { delete holder[key]; holder[m.key] = child } else holder[key] = { [m.key]: child }
    }
    break
  }
  return top
}

const treeMutated = fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, mutations]) => {
  let doc = parse(b.text) as Json
  for (const m of mutations) doc = mutate(doc, m)
  return { base: b, text: stringify(doc) }
})

// ---- text mutations: cut, insert and swap characters and lines of a base ----

const SNIPPETS = [':', '-', '{', '}', '[', ']', '\t', '\n', '&a ', '*a', '!tag ', '!!binary ', '"', "'", '#', '? ', '%YAML 1.1\n', '---\n', '...\n', '\uFEFF', '\u0000', '\r', '|', '>', '<<: *a\n']
const edit = fc.record({ at: fc.nat(), length: fc.nat({ max: 40 }), insert: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })) })
const textMutated = fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 6 })).map(([b, edits]) => {
  let text = b.text
  for (const e of edits) {
    const at = e.at % (text.length + 1)
    text = text.slice(0, at) + e.insert + text.slice(at + e.length)
  }
  return { base: b, text }
})

// ---- hostile YAML ----

const laughs = (levels: number) => ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...Array.from({ length: levels }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n')
const HOSTILE = [
  laughs(9), `version: 1\ntasks:\n${laughs(9).split('\n').map(l => `  # ${l}`).join('\n')}\n`, `version: 1\nstatuses: &s [*s]\n`,
  '['.repeat(5000) + ']'.repeat(5000), '{a: '.repeat(2000) + '1' + '}'.repeat(2000), '- '.repeat(3000) + 'x',
  `version: 1\ntasks:\n${Array.from({ length: 2000 }, (_, i) => `  - { name: T${i}, plugin: plugins/step.ts${i ? `, prerequisites: { T${i - 1}: processed }` : ''} }`).join('\n')}\n`,
  'version: !!js/function "function () { return 1 }"\n', 'version: !!python/object/apply:os.system ["true"]\n', '%TAG ! tag:x,2000:\n---\n!x 1\n',
  `version: 1\n${'x'.repeat(100000)}: 1\n`, '\uFEFF\uFEFFversion: 1\n', 'version: 1\r\ntasks: []\r\n', '\u0000'.repeat(100)
]

t.test('the manifest validator never throws, never hangs, and places every problem', async t => {
  const started = Date.now()
  const options = { numRuns: RUNS, seed: SEED, endOnFailure: true }

  for (const text of HOSTILE) await check(text, BASES[0], true)
  t.pass(`${HOSTILE.length} hostile YAML texts (alias bombs, deep nesting, 2,000 tasks, tags) are diagnosed`)

  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), async (bytes, latin1) =>
    check(Buffer.from(bytes).toString(latin1 ? 'latin1' : 'utf8'), BASES[0], false)), options)
  t.pass('random bytes')

  await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 500 }), async text => check(text, BASES[0], false)), options)
  t.pass('random text')

  // plugins load in a throwaway worker per validation (a few hundred ms each on a busy machine):
  // every tenth mutated manifest has its plugins loaded, the others stop before that step
  let validations = 0
  const withPlugins = () => validations++ % 10 === 0
  await fc.assert(fc.asyncProperty(treeMutated, async ({ base, text }) => check(text, base, withPlugins())), options)
  t.pass('manifests mutated at the tree level (values retyped, keys renamed, entries deleted and duplicated)')

  await fc.assert(fc.asyncProperty(textMutated, async ({ base, text }) => check(text, base, withPlugins())), options)
  t.pass('manifests mutated at the text level (cuts, YAML punctuation, tabs, BOMs, NULs)')

  t.comment(`${HOSTILE.length + 4 * RUNS} validations in ${Date.now() - started} ms`)
})
