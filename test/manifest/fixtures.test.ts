// Every broken manifest under test/fixtures/manifests/ pins its exact diagnostics, position and
// text, in a sibling .expected file. Together they cover every diagnostic code.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { DIAGNOSTICS } from '../../runtime/errors.ts'
import { formatDiagnostics, loadManifest } from '../../runtime/manifest/index.ts'

const DIR = 'test/fixtures/manifests'

function fixtures(): Array<{ manifest: string; expected: string }> {
  const list: Array<{ manifest: string; expected: string }> = []
  for (const entry of readdirSync(DIR, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.yaml') && !entry.name.startsWith('valid-')) {
      list.push({ manifest: join(DIR, entry.name), expected: join(DIR, entry.name.replace(/\.yaml$/, '.expected')) })
    } else if (entry.isDirectory() && existsSync(join(DIR, entry.name, 'blast.tasks.yaml'))) {
      list.push({ manifest: join(DIR, entry.name, 'blast.tasks.yaml'), expected: join(DIR, entry.name, 'blast.tasks.expected') })
    }
  }
  return list.sort((a, b) => a.manifest.localeCompare(b.manifest))
}

const seen = new Set<string>()
const all = fixtures()

t.ok(all.length >= 30, `at least 30 broken manifests (found ${all.length})`)

for (const { manifest, expected } of all) {
  t.test(manifest, async (t) => {
    const result = await loadManifest(manifest)
    t.equal(formatDiagnostics(result.diagnostics), readFileSync(expected, 'utf8').trimEnd(), 'exact diagnostics')
    const errors = result.diagnostics.filter((d) => d.severity === 'error')
    t.equal(result.manifest === null, errors.length > 0, 'a manifest exactly when there is no error')
    for (const d of result.diagnostics) seen.add(d.code)
  })
}

t.test('a manifest that does not exist', async (t) => {
  const result = await loadManifest(join(DIR, 'no-such-file.yaml'))
  t.equal(result.manifest, null)
  t.equal(
    formatDiagnostics(result.diagnostics),
    'test/fixtures/manifests/no-such-file.yaml:1:1 error BLAST_MANIFEST_READ the manifest test/fixtures/manifests/no-such-file.yaml does not exist'
  )
  for (const d of result.diagnostics) seen.add(d.code)
})

t.test('a manifest that is a folder', async (t) => {
  const result = await loadManifest(DIR)
  t.equal(result.diagnostics.length, 1)
  t.match(result.diagnostics[0], { line: 1, column: 1, code: 'BLAST_MANIFEST_READ', message: /^the manifest test\/fixtures\/manifests cannot be read \(EISDIR/ })
})


t.test('a bug in the validator comes back as a diagnostic, not a throw', async (t) => {
  const { validateManifestText } = await t.mockImport<typeof import('../../runtime/manifest/index.ts')>('../../runtime/manifest/index.ts', {
    '../../runtime/manifest/rules.ts': {
      checkRules: () => {
        throw new Error('boom')
      }
    }
  })
  const result = await validateManifestText('version: 1\ntasks: []\n', { file: 'x.yaml', dir: '.' })
  t.same(result, {
    manifest: null,
    diagnostics: [
      {
        file: 'x.yaml',
        line: 1,
        column: 1,
        severity: 'error',
        code: 'BLAST_VALIDATOR_FAILED',
        message: 'the validator failed (boom); please report it with this manifest'
      }
    ]
  })
  seen.add('BLAST_VALIDATOR_FAILED')
})

// last: the tests above (fixtures, a missing file, the safety net) together produce every code
t.test('every diagnostic code is pinned by a test above', async (t) => {
  const missing = Object.keys(DIAGNOSTICS).filter((code) => !seen.has(code))
  t.same(missing, [], 'codes without a pinned test')
})
