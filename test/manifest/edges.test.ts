// Corners of the rules, each pinned to its exact diagnostic text.
import t from 'tap'
import { join, relative } from 'node:path'
import { formatDiagnostics, validateManifestText } from '../../runtime/manifest/index.ts'

async function check(text: string, checkPlugins = false): Promise<string> {
  const { diagnostics } = await validateManifestText(text, { file: 'm.yaml', dir: 'test/fixtures/manifests', checkPlugins })
  return formatDiagnostics(diagnostics)
}

t.test('an empty plugin path', async (t) => {
  t.equal(await check('version: 1\ntasks:\n  - { name: A, plugin: "" }\n', true), 'm.yaml:3:24 error BLAST_SCHEMA plugin of task "A" must not be empty')
})

t.test('an alias bomb is refused, not expanded', async (t) => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
  for (let i = 1; i < 6; i++) lines.push(`${'abcdef'[i]}: &${'abcdef'[i]} [${Array(10).fill(`*${'abcdef'[i - 1]}`).join(', ')}]`)
  t.equal(
    await check(lines.join('\n')),
    'm.yaml:1:1 error BLAST_YAML_SYNTAX the YAML cannot be read: Excessive alias count indicates a resource exhaustion attack'
  )
})

t.test('a system task with an empty prerequisites mapping is fine', async (t) => {
  t.equal(await check('version: 1\ntasks:\n  - { name: Sweep, kind: system, prerequisites: {} }\n'), '')
})

t.test('a misspelt own guard is one unknown status, not also a self prerequisite', async (t) => {
  t.equal(
    await check('version: 1\ntasks:\n  - { name: A, prerequisites: { A: not procesed } }\n'),
    'm.yaml:3:36 error BLAST_UNKNOWN_STATUS prerequisite status "not procesed" is not declared; declared: not processed, processing, processed, failed, time limit exceeded'
  )
})

t.test('many declared tasks are counted, not listed', async (t) => {
  const tasks = Array.from({ length: 13 }, (_, i) => `  - { name: Task ${i} }`).join('\n')
  t.equal(
    await check(`version: 1\ntasks:\n${tasks}\n  - { name: Last, prerequisites: { Zebra: processed } }\n`),
    'm.yaml:16:36 error BLAST_UNKNOWN_TASK prerequisite task "Zebra" is not declared; 14 tasks are declared'
  )
})

t.test('a default plugin with a close name nearby', async (t) => {
  const plugin = "export function process() { return 'processed' }\n"
  const dir = t.testdir({ plugins: { 'noop.ts': plugin, 'host-match.ts': plugin } })
  const { diagnostics } = await validateManifestText('version: 1\ntasks:\n  - name: Noop\n  - name: Host matcher\n', {
    file: 'm.yaml',
    dir,
    // a Noop task finds plugins/noop.ts by its default name
    checkPlugins: true
  })
  const shown = relative(process.cwd(), join(dir, 'plugins'))
  // host-match.ts is unused here
  t.equal(
    formatDiagnostics(diagnostics.filter((d) => d.code !== 'BLAST_PLUGIN_UNUSED')),
    `m.yaml:4:11 error BLAST_PLUGIN_MISSING task "Host matcher" has no plugin; tried ${shown}/host-matcher.ts, ${shown}/host-matcher.js, ${shown}/host-matcher.mjs; did you mean ${shown}/host-match.ts? (create one, or set plugin)`
  )
})

t.test('a list where a mapping belongs, at the top of a task', async (t) => {
  t.equal(
    await check('version: 1\ntasks:\n  - [name, A]\n  - Host match\n'),
    'm.yaml:3:5 error BLAST_SCHEMA task #1 must be a mapping; got a list\nm.yaml:4:5 error BLAST_SCHEMA task #2 must be a mapping; got the string "Host match"'
  )
})

t.test('a very long string is shortened in the message', async (t) => {
  t.equal(
    await check(`version: 1\ntasks:\n  - { name: A, kind: ${'x'.repeat(80)} }\n`),
    `m.yaml:3:22 error BLAST_SCHEMA kind of task "A" must be one of transient, system; got the string "${'x'.repeat(57)}..."`
  )
})
