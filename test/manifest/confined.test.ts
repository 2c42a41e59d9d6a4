// Plugin loading is confined: a plugin path stays inside the manifest's folder (symbolic links
// followed), only modules load, and validation loads plugins in a throwaway worker with a time
// limit, so a plugin whose top-level code exits, loops, throws anything or leaves a rejection
// unhandled is a diagnostic — and this process, which asked, lives on (it is tap's own process: a
// plugin loaded here would end the test run).
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import t from 'tap'
import { EXCERPT_CHARS, describeThrown, loadPlugin } from '../../runtime/plugin-loader.ts'
import { formatDiagnostics, loadManifest, validateManifestText } from '../../runtime/manifest/index.ts'

const CLI = resolve('runtime/cli.ts')
const F = 'test/fixtures/confined'
const LIMIT = `a plugin must be inside it (move the file in, or the manifest up)`

/** per fixture manifest: what `blast-tasks validate` prints for it, exactly */
export const EXPECTED: Record<string, string[]> = {
  'outside-relative': [`${F}/outside-relative.yaml:5:30 error BLAST_PLUGIN_OUTSIDE plugin "../../x.ts" of task "Escapes" is outside the manifest's folder ${F}; ${LIMIT}`],
  'outside-absolute': [`${F}/outside-absolute.yaml:5:30 error BLAST_PLUGIN_OUTSIDE plugin "/etc/passwd" of task "Escapes" is outside the manifest's folder ${F}; ${LIMIT}`],
  'outside-link': [`${F}/outside-link.yaml:5:30 error BLAST_PLUGIN_OUTSIDE plugin "links/escape.ts" of task "Escapes" leads outside the manifest's folder ${F} through a symbolic link; ${LIMIT}`],
  'outside-default': [`${F}/outside-default.yaml:5:13 error BLAST_PLUGIN_OUTSIDE the plugin plugins/linked.ts of task "Linked" leads outside the manifest's folder ${F} through a symbolic link; ${LIMIT}`],
  'not-a-module': [`${F}/not-a-module.yaml:5:28 error BLAST_PLUGIN_EXTENSION plugin "notes.txt" of task "Notes" is a .txt file; a plugin is a module: .ts, .mts, .cts, .js, .mjs, .cjs`],
  exits: [`${F}/exits.yaml:5:28 error BLAST_PLUGIN_LOAD ${F}/faults/exits-on-load.ts calls process.exit(7) while loading; a plugin must not end the process`],
  loops: [`${F}/loops.yaml:5:28 error BLAST_PLUGIN_LOAD ${F}/faults/loops-on-load.ts did not finish loading within the 10 s limit (an endless loop or a wait at top level?)`],
  throws: [`${F}/throws.yaml:5:29 error BLAST_PLUGIN_LOAD ${F}/faults/throws-null-object.ts throws while loading: a thrown value that cannot be turned into text`],
  rejects: [`${F}/rejects.yaml:5:30 error BLAST_PLUGIN_LOAD ${F}/faults/rejects-on-load.ts leaves a promise rejection unhandled while loading: nobody waits for this`]
}

function validate (file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, 'validate', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

t.test('blast-tasks validate: each fault is one diagnostic, exit 1, and nothing of the file is shown', async (t) => {
  for (const [name, lines] of Object.entries(EXPECTED)) {
    const r = await validate(`${F}/${name}.yaml`)
    t.equal(r.stdout, `${lines.join('\n')}\n${F}/${name}.yaml: 1 error, 0 warnings\n`, name)
    t.equal(r.code, 1, `${name}: exit 1`)
    t.equal(r.stderr, '', `${name}: nothing on stderr (a plugin printing at load is not relayed)`)
    t.notMatch(r.stdout, /root:|hunter2/, `${name}: no file content`)
  }
  const good = await validate(`${F}/blast.tasks.yaml`)
  t.equal(good.code, 0, 'the manifest beside them is valid')
})

t.test('a worker that dies at one plugin blames that one; a fresh one checks the rest', async (t) => {
  const { manifest, diagnostics } = await loadManifest(`${F}/several.yaml`)
  t.equal(manifest, null)
  const long = diagnostics.find((d) => d.message.includes('throws-long.ts'))!
  t.equal(formatDiagnostics(diagnostics.filter((d) => d !== long)), [
    `${F}/several.yaml:4:28 error BLAST_PLUGIN_LOAD ${F}/faults/exits-on-load.ts calls process.exit(7) while loading; a plugin must not end the process`,
    `${F}/several.yaml:6:29 error BLAST_PLUGIN_LOAD ${F}/faults/throws-null-object.ts throws while loading: a thrown value that cannot be turned into text`
  ].join('\n'))
  // the plugin's own words, cut to one bounded line
  t.equal(`${long.file}:${long.line}:${long.column} ${long.code}`, `${F}/faults/throws-long.ts:3:1 BLAST_PLUGIN_LOAD`)
  const quoted = long.message.slice(long.message.indexOf('throws while loading: ') + 'throws while loading: '.length, long.message.lastIndexOf(' (plugin of task'))
  t.equal(quoted.length, EXCERPT_CHARS, 'an excerpt of EXCERPT_CHARS characters')
  t.match(quoted, /^a very long reason .*…$/)
  t.notMatch(long.message, /second line/)
})

t.test('the time limit is an option, and covers the plugins after an endless one', async (t) => {
  const text = 'version: 1\ntasks:\n  - { name: Loops, plugin: faults/loops-on-load.ts }\n  - { name: Fine }\n'
  const { diagnostics } = await validateManifestText(text, { file: 'm.yaml', dir: F, pluginTimeoutMs: 1000 })
  t.equal(formatDiagnostics(diagnostics), [
    `m.yaml:3:28 error BLAST_PLUGIN_LOAD ${F}/faults/loops-on-load.ts did not finish loading within the 1 s limit (an endless loop or a wait at top level?)`,
    `m.yaml:4:13 error BLAST_PLUGIN_LOAD ${F}/plugins/fine.ts was not checked: loading the plugins before it used up the 1 s limit`
  ].join('\n'))
})

t.test('confinement holds without loading plugins too', async (t) => {
  const text = 'version: 1\ntasks:\n  - { name: A, plugin: ../outside/escape.ts }\n  - { name: B, plugin: notes.txt }\n  - { name: C, plugin: links/escape.ts }\n'
  const { manifest, diagnostics } = await validateManifestText(text, { file: 'm.yaml', dir: F, checkPlugins: false })
  t.equal(manifest, null)
  t.same(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`), ['3:24 BLAST_PLUGIN_OUTSIDE', '4:24 BLAST_PLUGIN_EXTENSION', '5:24 BLAST_PLUGIN_OUTSIDE'])
})

t.test('a path inside the folder through .. and a module of every extension are fine', async (t) => {
  const dir = t.testdir({
    'blast.tasks.yaml': '',
    plugins: {
      'a.mts': 'export function process () { return "processed" }\n',
      'b.cjs': 'exports.process = () => "processed"\n',
      'c.cts': 'exports.process = () => "processed"\n'
    },
    lib: { 'd.js': 'export function process () { return "processed" }\n' }
  })
  const text = [
    'version: 1',
    'tasks:',
    '  - { name: A, plugin: plugins/a.mts }',
    '  - { name: B, plugin: ./lib/../plugins/b.cjs }',
    '  - { name: C, plugin: plugins/c.cts }',
    '  - { name: D, plugin: lib/d }'
  ].join('\n')
  const { manifest, diagnostics } = await validateManifestText(text, { file: 'm.yaml', dir })
  t.same(diagnostics, [])
  t.equal(manifest?.tasks.length, 4)
})

t.test('describeThrown: any thrown value becomes one bounded line', async (t) => {
  const hostile = new Proxy({}, { get () { throw new Error('trap') }, getPrototypeOf () { throw new Error('trap') } })
  t.equal(describeThrown(Object.create(null)), 'a thrown value that cannot be turned into text')
  t.equal(describeThrown(hostile), 'a thrown value that cannot be turned into text')
  t.equal(describeThrown(new TypeError('bad\nmore')), 'TypeError: bad')
  t.equal(describeThrown('plain'), 'plain')
  t.equal(describeThrown(42), 'number 42')
  t.equal(describeThrown({ code: 7 }), 'a thrown object {"code":7}')
  t.equal(describeThrown('x'.repeat(1000)).length, EXCERPT_CHARS)
})

t.test('loadPlugin in this thread reports a throw of Object.create(null) instead of failing on it', async (t) => {
  await t.rejects(loadPlugin(`${F}/faults/throws-null-object.ts`), {
    code: 'BLAST_PLUGIN_LOAD',
    message: `${F}/faults/throws-null-object.ts throws while loading: a thrown value that cannot be turned into text`
  })
})
