// What a valid manifest becomes: the frozen Manifest the engine reads.
import { resolve } from 'node:path'
import t from 'tap'
import { loadManifest, validateManifestText } from '../../runtime/manifest/index.ts'
import { readFileSync } from 'node:fs'

const MINIMAL = 'test/fixtures/manifests/valid-minimal.yaml'

t.test('valid-minimal.yaml', async (t) => {
  const { manifest, diagnostics } = await loadManifest(MINIMAL)
  t.same(diagnostics, [])
  if (!manifest) throw new Error('no manifest')
  t.equal(manifest.file, resolve(MINIMAL))
  t.equal(manifest.dir, resolve('test/fixtures/manifests'))
  t.equal(manifest.version, 1)
  t.same(
    manifest.statuses.map((s) => [s.message, s.type, s.builtin]),
    [
      ['not processed', 'blank', true],
      ['processing', 'warning', true],
      ['processed', 'success', true],
      ['failed', 'error', true],
      ['time limit exceeded', 'error', true],
      ['no host match', 'error', false]
    ]
  )
  t.equal(manifest.statuses[5]!.description, 'No galaxy contains the transient')
  t.same(manifest.tasks, [
    {
      name: 'Cutout download',
      slug: 'cutout-download',
      kind: 'transient',
      pluginRef: 'plugin-lib/cutout-download.ts',
      plugin: resolve('test/fixtures/manifests/plugin-lib/cutout-download.ts'),
      prerequisites: {},
      failedStatus: 'failed',
      frequencySeconds: 60,
      enabled: true,
      timeoutSeconds: 3600,
      retries: 0,
      memoryMb: 1024,
      maxOutputBytes: 1048576,
      concurrency: 100,
      description: 'Records where the cutouts of a transient are'
    },
    {
      name: 'Host match',
      slug: 'host-match',
      kind: 'transient',
      pluginRef: 'plugin-lib/host-match.ts',
      plugin: resolve('test/fixtures/manifests/plugin-lib/host-match.ts'),
      // the written `Host match: not processed` guard is implied and dropped
      prerequisites: { 'Cutout download': 'processed' },
      failedStatus: 'failed',
      frequencySeconds: 60,
      enabled: true,
      timeoutSeconds: 30,
      retries: 1,
      memoryMb: 1024,
      maxOutputBytes: 1048576,
      concurrency: 100,
      description: ''
    },
    {
      name: 'Ingest',
      slug: 'ingest',
      kind: 'system',
      pluginRef: 'plugin-lib/ingest.ts',
      plugin: resolve('test/fixtures/manifests/plugin-lib/ingest.ts'),
      prerequisites: {},
      failedStatus: 'failed',
      frequencySeconds: 240,
      enabled: false,
      timeoutSeconds: 3600,
      retries: 0,
      memoryMb: 1024,
      maxOutputBytes: 1048576,
      concurrency: 100,
      description: ''
    }
  ])
})

t.test('the manifest is deeply frozen', async (t) => {
  const { manifest } = await loadManifest(MINIMAL)
  if (!manifest) throw new Error('no manifest')
  t.ok(Object.isFrozen(manifest))
  t.ok(Object.isFrozen(manifest.tasks))
  t.ok(Object.isFrozen(manifest.tasks[1]))
  t.ok(Object.isFrozen(manifest.tasks[1]!.prerequisites))
  t.ok(Object.isFrozen(manifest.statuses[0]))
  t.throws(() => {
    ;(manifest.tasks[1]!.prerequisites as Record<string, string>).x = 'processed'
  }, TypeError)
})

t.test("Blast's own task graph validates", async (t) => {
  const { manifest, diagnostics } = await loadManifest('test/fixtures/manifests/valid-blast.yaml')
  t.same(diagnostics, [])
  if (!manifest) throw new Error('no manifest')
  t.equal(manifest.tasks.filter((x) => x.kind === 'transient').length, 17)
  t.equal(manifest.tasks.filter((x) => x.kind === 'system').length, 5)
  const crop = manifest.tasks.find((x) => x.name === 'Crop transient images')!
  t.same(crop.prerequisites, { 'Validate global photometry': 'processed', 'Validate local photometry': 'processed' })
  t.equal(manifest.tasks.find((x) => x.name === 'Validate local photometry')!.failedStatus, 'phot valid failed')
  t.equal(manifest.tasks.find((x) => x.name === 'Generate thumbnail SED global')!.slug, 'generate-thumbnail-sed-global')
  // redeclaring the built-in `failed` with its own type documents it
  const failed = manifest.statuses.find((s) => s.message === 'failed')!
  t.same(failed, { message: 'failed', type: 'error', description: 'The task raised an exception', builtin: true })
  t.equal(manifest.statuses.filter((s) => s.message === 'failed').length, 1)
})

t.test('default plugins, extensionless paths and unused files in a project folder', async (t) => {
  const { manifest } = await loadManifest('test/fixtures/manifests/project/blast.tasks.yaml')
  if (!manifest) throw new Error('no manifest')
  t.same(
    manifest.tasks.map((x) => [x.pluginRef, x.plugin]),
    [
      ['plugins/cutout-download.js', resolve('test/fixtures/manifests/project/plugins/cutout-download.js')],
      ['plugins/host-match.ts', resolve('test/fixtures/manifests/project/plugins/host-match.ts')],
      // as written, without the extension that was found
      ['plugins/tns-ingest', resolve('test/fixtures/manifests/project/plugins/tns-ingest.mjs')]
    ]
  )
})

t.test('validateManifestText reads text as if it were the file', async (t) => {
  const text = readFileSync(MINIMAL, 'utf8')
  const fromText = await validateManifestText(text, { file: MINIMAL, dir: 'test/fixtures/manifests' })
  const fromFile = await loadManifest(MINIMAL)
  t.same(fromText, fromFile)
  const broken = await validateManifestText('version: 1\ntasks:\n  - name: A\n    kind: sytem\n', {
    file: 'request-body.yaml',
    dir: 'test/fixtures/manifests',
    checkPlugins: false
  })
  t.same(broken.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`), ['request-body.yaml:4:11 BLAST_SCHEMA'])
})

t.test('checkPlugins: false skips loading, existence and unused checks', async (t) => {
  const text = 'version: 1\ntasks:\n  - name: Host match\n  - { name: B, plugin: plugin-lib/extra-export.ts }\n'
  const result = await validateManifestText(text, { file: 'x.yaml', dir: 'test/fixtures/manifests/project', checkPlugins: false })
  t.same(result.diagnostics, [])
  t.equal(result.manifest?.tasks[0]!.pluginRef, 'plugins/host-match.ts')
  const missing = await validateManifestText('version: 1\ntasks:\n  - name: Nowhere\n', { file: 'x.yaml', dir: 'test/fixtures/manifests', checkPlugins: false })
  t.equal(missing.manifest?.tasks[0]!.pluginRef, 'plugins/nowhere.ts', 'the TypeScript default when no file exists')
})

t.test('a $schema property, an empty task list and declared built-ins are valid', async (t) => {
  const text = [
    '$schema: ./schemas/blast.tasks.schema.json',
    'version: 1',
    'statuses:',
    '  - { message: processed, type: success }',
    'tasks: []'
  ].join('\n')
  const result = await validateManifestText(text, { file: 'x.yaml', dir: 'test/fixtures/manifests' })
  t.same(result.diagnostics, [])
  t.equal(result.manifest?.statuses.length, 5)
  t.equal(result.manifest?.statuses[2]!.description, 'The task finished successfully.')
})

t.test('warnings alone leave a manifest', async (t) => {
  const result = await loadManifest('test/fixtures/manifests/yaml-unknown-tag.yaml')
  t.equal(result.diagnostics.length, 1)
  t.equal(result.manifest?.tasks[0]!.description, 'host-match-description')
})

t.test('names that are Object.prototype keys stay data', async (t) => {
  const text = 'version: 1\ntasks:\n  - { name: A }\n  - { name: __proto__, prerequisites: { A: processed } }\n  - { name: constructor, prerequisites: { __proto__: processed } }\n'
  const { manifest, diagnostics } = await validateManifestText(text, { file: 'x.yaml', dir: '.', checkPlugins: false })
  t.same(diagnostics, [])
  t.same(Object.keys(manifest!.tasks[2]!.prerequisites), ['__proto__'])
  t.equal(manifest!.tasks[2]!.prerequisites.__proto__, 'processed')
})
