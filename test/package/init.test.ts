// `blast-tasks init [dir]`: the scaffold in a new folder (package.json written), and the refusals —
// a file already there stops it before anything is written.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { main, type Io } from '../../runtime/cli.ts'
import { validateManifestText } from '../../runtime/manifest/index.ts'
import { tempDir } from '../fixtures/engine/harness.ts'

const ours = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string; engines: { node: string } }

async function init (...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: Io = { out: text => { out += `${text}\n` }, err: text => { err += `${text}\n` } }
  return { code: await main(['init', ...args], io), out, err }
}

t.test('a new folder gets the whole project, its package.json depending on this release', async t => {
  const dir = join(tempDir(t, 'blast-init-'), 'My Pipeline')
  const ran = await init(dir)
  t.equal(ran.code, 0, ran.err)
  for (const file of ['package.json', 'blast.tasks.yaml', 'plugins/redshift-class.ts', 'test/redshift-class.test.ts', 'tsconfig.json', '.gitignore', '.dockerignore', 'Dockerfile', 'README.md']) {
    t.ok(existsSync(join(dir, file)), file)
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  t.match(pkg, {
    name: 'my-pipeline',
    private: true,
    type: 'module',
    engines: { node: ours.engines.node },
    scripts: { start: 'blast-tasks start', test: /^node --experimental-strip-types --test / },
    dependencies: { 'blast-tasks': `^${ours.version}` }
  })
  t.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^# my-pipeline\n/, 'the README is named after the project')
  t.match(ran.out, /cd ".*My Pipeline"\n/, 'the next steps quote a folder with a space')
  const manifest = readFileSync(join(dir, 'blast.tasks.yaml'), 'utf8')
  t.match(manifest, /^# yaml-language-server: \$schema=\.\/node_modules\/blast-tasks\/schemas\/blast\.tasks\.schema\.json$/m)
  const { diagnostics } = await validateManifestText(manifest, { file: join(dir, 'blast.tasks.yaml'), dir })
  t.same(diagnostics, [], 'the manifest is valid, its plugin found')
})

t.test('an existing package.json keeps what it has and gets what is missing', async t => {
  const dir = tempDir(t, 'blast-init-')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', scripts: { test: 'vitest' }, dependencies: { 'blast-tasks': 'file:../x.tgz', left: '1' } }))
  t.equal((await init(dir)).code, 0)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  t.match(pkg, { name: 'mine', type: 'module', scripts: { test: 'vitest', start: 'blast-tasks start' }, dependencies: { 'blast-tasks': 'file:../x.tgz', left: '1' } })
})

t.test('a file already there: nothing is written', async t => {
  const dir = tempDir(t, 'blast-init-')
  mkdirSync(join(dir, 'plugins'))
  writeFileSync(join(dir, 'plugins', 'redshift-class.ts'), 'mine')
  const ran = await init(dir)
  t.equal(ran.code, 1)
  t.match(ran.err, /already has plugins\/redshift-class\.ts; nothing was written \(init never overwrites a file\)/)
  t.notOk(existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'blast.tasks.yaml')), 'nothing else was written')
  t.equal(readFileSync(join(dir, 'plugins', 'redshift-class.ts'), 'utf8'), 'mine')
  t.equal((await init(dir, 'other')).code, 2, 'two folders: a usage error')
})
