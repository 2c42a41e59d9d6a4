// `blast-tasks new`: the entry is inserted as text (the rest of the manifest byte for byte as it
// was), names are quoted only when YAML needs it, the edited manifest is validated before anything
// is written, an existing plugin is kept, and the template plugin runs.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parse } from 'yaml'
import { main, type Io } from '../../runtime/cli.ts'
import { insertTask, yamlScalar } from '../../runtime/commands/new.ts'
import { loadManifest } from '../../runtime/manifest/index.ts'
import { loadPlugin } from '../../runtime/plugin-loader.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))

function capture (): Io & { out: (s: string) => void; text: () => string; errors: () => string } {
  const out: string[] = []
  const err: string[] = []
  return { out: s => out.push(s), err: s => err.push(s), text: () => out.join('\n'), errors: () => err.join('\n') }
}

async function project (t: { teardown (fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'blast-new-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await cp(join(REPO, 'examples/pipeline/blast.tasks.yaml'), join(dir, 'blast.tasks.yaml'))
  await cp(join(REPO, 'examples/pipeline/plugins'), join(dir, 'plugins'), { recursive: true })
  return dir
}

t.test('yamlScalar quotes only what YAML would read otherwise', async t => {
  for (const [value, plain] of [
    ['Host match', true], ['Luminosity distance', true], ['Redshift class (v2)', true], ['Détection', true],
    ['Two: parents', false], ['true', false], ['no', false], ['123', false], ['1e5', false], ['with # hash', false],
    ['a, b', true], ['trailing ', false], ['-dash', false], ["it's", true]
  ] as const) {
    const written = yamlScalar(value)
    t.equal(written === value, plain, `${JSON.stringify(value)} → ${written}`)
    t.equal(parse(`k: ${written}`).k, value, `${written} reads back`)
    const inFlow = yamlScalar(value, true)
    t.equal(parse(`k: { ${inFlow}: processed }`).k[value], 'processed', `${inFlow} reads back as a flow key`)
  }
})

t.test('insertTask appends to the task list and leaves the rest as it was', async t => {
  const text = await readFile(join(REPO, 'examples/pipeline/blast.tasks.yaml'), 'utf8')
  const edited = insertTask(text, { name: 'Distance class', after: ['Luminosity distance'], system: false, disabled: true, description: 'Near or far.' })
  if ('problem' in edited) throw new Error(edited.problem)
  t.ok(edited.text.startsWith(text), 'the manifest is unchanged up to the new entry')
  t.equal(edited.text.slice(text.length), [
    '',
    '  - name: Distance class',
    '    prerequisites: { Luminosity distance: processed }',
    '    enabled: false',
    '    description: Near or far.',
    ''
  ].join('\n'), 'spaced and indented like its neighbours')
  t.equal(edited.text.split('\n')[edited.line - 1], '  - name: Distance class', 'the line it reports')

  const middle = [
    'version: 1',
    'tasks:',
    '- name: A',
    '- name: B',
    '  prerequisites: { A: processed }',
    '',
    '# the statuses',
    'statuses:',
    '  - { message: odd, type: error }',
    ''
  ].join('\n')
  const inMiddle = insertTask(middle, { name: 'C', after: ['A', 'B'], system: false, disabled: false, every: 300 })
  t.same(inMiddle, {
    text: [
      'version: 1', 'tasks:', '- name: A', '- name: B', '  prerequisites: { A: processed }',
      '- name: C', '  prerequisites: { A: processed, B: processed }', '  frequency_seconds: 300',
      '', '# the statuses', 'statuses:', '  - { message: odd, type: error }', ''
    ].join('\n'),
    line: 6
  }, 'before the next key and its comment, at the list\'s own indentation, unspaced like it')

  t.same(insertTask('version: 1\n', { name: 'Tick', after: [], system: true, disabled: false }),
    { text: 'version: 1\n\ntasks:\n  - name: Tick\n    kind: system\n', line: 4 }, 'no task list yet')
  t.same(insertTask('version: 1\ntasks: [{ name: A }]\n', { name: 'B', after: [], system: false, disabled: false }),
    { problem: 'the tasks of this manifest are written inline (tasks: [...])' })
})

t.test('blast-tasks new writes a valid manifest and a plugin that runs', async t => {
  const dir = await project(t)
  const file = join(dir, 'blast.tasks.yaml')
  const before = await readFile(file, 'utf8')
  const io = capture()
  const code = await main(['new', 'Distance class', '--after', 'Luminosity distance', '--after', 'Host match',
    '--description', 'Labels a transient local, nearby or distant.', '--manifest', file], io)
  t.equal(code, 0, io.errors())
  t.match(io.text(), /^added "Distance class" to .*blast\.tasks\.yaml \(line 67\)\nwrote .*plugins\/distance-class\.ts from the template\n/)
  const { manifest, diagnostics } = await loadManifest(file)
  t.same(diagnostics, [], 'valid, plugins included, no unused plugin')
  const task = manifest!.tasks.find(x => x.name === 'Distance class')!
  t.same(task.prerequisites, { 'Luminosity distance': 'processed', 'Host match': 'processed' })
  t.equal(task.description, 'Labels a transient local, nearby or distant.')

  const plugin = await loadPlugin(task.plugin)
  const logged: string[] = []
  const log = { debug: () => {}, info: (m: string) => logged.push(m), warn: () => {}, error: () => {} }
  const transient = {
    name: '2011fe', ra_deg: 210.77, dec_deg: 54.27, public_timestamp: null, redshift: null, data: {},
    tasks: {
      'Luminosity distance': { status: 'processed', type: 'success', output: { luminosity_distance_mpc: 6.4 } },
      'Host match': { status: 'processed', type: 'success', output: { host: 'M101' } }
    }
  } as const
  const ctx = { log, signal: new AbortController().signal, task: task.name, attempt: 1 }
  t.same(await (plugin.process as Function)(transient, ctx), { status: 'processed', output: { ra_deg: 210.77, dec_deg: 54.27 } },
    'the template returns processed with a JSON output')
  t.equal(logged.length, 1, 'and logs what its prerequisites produced')

  // refusals: nothing is written
  const after = await readFile(file, 'utf8')
  for (const [args, message] of [
    [['Distance class'], /task "Distance class" is already declared in .*blast\.tasks\.yaml/],
    [['distance-class'], /would share the plugin and queue name "distance-class" with "Distance class"/],
    [['X', '--after', 'Luminosty distance'], /--after "Luminosty distance" is not a task of .*; did you mean "Luminosity distance"\?/],
    [['X', '--after', 'Ingest inbox'], /--after "Ingest inbox" is a system task/]
  ] as const) {
    const refused = capture()
    t.equal(await main(['new', ...args, '--manifest', file], refused), 1, args.join(' '))
    t.match(refused.errors(), message)
  }
  for (const [args, message] of [
    [[], /name one task; got none/],
    [['A', 'B'], /name one task; got "A" "B" \(quote a name with spaces\)/],
    [['S', '--system', '--after', 'Host match'], /a system task has no prerequisites/],
    [['S', '--every', '0'], /--every must be a whole number of seconds from 1 to 604800; got "0"/]
  ] as const) {
    const refused = capture()
    t.equal(await main(['new', ...args, '--manifest', file], refused), 2, `usage: ${args.join(' ')}`)
    t.match(refused.errors(), message)
  }
  t.equal(await readFile(file, 'utf8'), after, 'refusals leave the manifest as it was')
  t.not(after, before)
})

t.test('an existing plugin is kept; a system task gets the system template', async t => {
  const dir = await project(t)
  const file = join(dir, 'blast.tasks.yaml')
  const mine = "export function process () { return 'processed' }\n"
  await writeFile(join(dir, 'plugins', 'redshift-class.ts'), mine)
  const io = capture()
  t.equal(await main(['new', 'Redshift class', '--after', 'Luminosity distance', '--manifest', file], io), 0, io.errors())
  t.match(io.text(), /kept the existing plugin .*plugins\/redshift-class\.ts/)
  t.equal(await readFile(join(dir, 'plugins', 'redshift-class.ts'), 'utf8'), mine)

  const system = capture()
  t.equal(await main(['new', 'Nightly report', '--system', '--every', '86400', '--disabled', '--manifest', file], system), 0, system.errors())
  t.match(system.text(), /the runtime runs it every 86400 s once it applies the manifest/)
  const { manifest, diagnostics } = await loadManifest(file)
  t.same(diagnostics, [])
  t.match(manifest!.tasks.find(x => x.name === 'Nightly report'), { kind: 'system', enabled: false, frequencySeconds: 86400 })
  const listed: unknown[] = []
  const plugin = await loadPlugin(join(dir, 'plugins', 'nightly-report.ts'))
  const ctx = {
    log: { debug () {}, info () {}, warn () {}, error () {} }, signal: new AbortController().signal, task: 'Nightly report', attempt: 1,
    transients: { list: async () => { listed.push(1); return [] }, get: async () => undefined, upsert: async () => ({ created: [], updated: [] }) }
  }
  t.same(await (plugin.process as Function)(ctx), { status: 'processed', output: { transients: 0 } })
  t.equal(listed.length, 1)
})

t.test('a manifest with errors is not edited', async t => {
  const dir = await project(t)
  const file = join(dir, 'blast.tasks.yaml')
  await writeFile(file, 'version: 1\ntasks:\n  - name: A\n    prerequisites: { Nope: processed }\n')
  const io = capture()
  t.equal(await main(['new', 'B', '--manifest', file], io), 1)
  t.match(io.errors(), /BLAST_UNKNOWN_TASK[^\n]*\nblast-tasks new: .*blast\.tasks\.yaml has errors; fix them first, nothing was written/)
})
