// The package as a user gets it: `npm pack` (which compiles runtime/ to dist/), the tarball
// installed into an empty folder, `blast-tasks init` there, then the scaffold's own commands —
// `npm test` passes, `npm run typecheck` reads our type declarations, and `npm start` processes a
// transient posted to its API on the embedded database. Nothing here runs this repository's
// TypeScript: the installed package holds no runtime/, so only the compiled code can run.
// Dependencies come from npm's cache when it has them (--prefer-offline), else the registry.
import t from 'tap'
import { spawn, type SpawnOptions } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { waitFor } from '../helpers/runtime.ts'
import { tempDir } from '../fixtures/engine/harness.ts'

const ROOT = join(import.meta.dirname, '../..')

// npm and the scaffold's scripts run on the Node running this test (the project's Node 24), first on PATH
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' }
for (const name of ['DATABASE_URL', 'BLAST_MANIFEST', 'BLAST_INBOX', 'BLAST_DATA_DIR', 'BLAST_SCHEMA', 'BLAST_BOSS_SCHEMA', 'BLAST_API_TOKEN', 'PORT', 'NODE_OPTIONS']) delete env[name]
// npm sets these for the test run itself; inherited, they would point the inner npm at this repository
for (const name of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(name) || name === 'INIT_CWD') delete env[name]
// and tap's: coverage of this repository's sources is not collected from the installed copy
for (const name of Object.keys(env)) if (/^(NODE_V8_COVERAGE|TAP|_TAPJS)/.test(name)) delete env[name]

interface Ran { code: number | null; out: string }

function run (command: string, args: string[], options: SpawnOptions): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout!.on('data', chunk => { out += chunk })
    child.stderr!.on('data', chunk => { out += chunk })
    child.on('error', reject)
    child.on('close', code => resolve({ code, out }))
  })
}

t.test('npm pack → install in an empty folder → init → npm test, typecheck, npm start', async t => {
  const dir = tempDir(t, 'blast-pack-')
  const packed = await run('npm', ['pack', '--pack-destination', dir], { cwd: ROOT })
  t.equal(packed.code, 0, 'npm pack succeeds (prepack builds dist/)') || t.comment(packed.out)
  const tarball = readdirSync(dir).find(name => name.endsWith('.tgz'))
  t.ok(tarball, 'a tarball')
  t.notOk(existsSync(join(ROOT, 'dist')), 'postpack leaves no dist/ in the repository')

  const app = join(dir, 'app')
  mkdirSync(app)
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join('..', tarball!)], { cwd: app })
  t.equal(installed.code, 0, 'the tarball installs') || t.comment(installed.out)
  t.notMatch(installed.out, /EBADENGINE/, 'no engine warning on the supported Node')
  const pkg = join(app, 'node_modules/blast-tasks')
  t.notOk(existsSync(join(pkg, 'runtime')), 'the package ships no TypeScript sources: what runs is dist/')
  t.ok(existsSync(join(pkg, 'dist/index.d.ts')) && existsSync(join(pkg, 'dist/testing.d.ts')), 'type declarations for both entry points')
  t.ok(existsSync(join(pkg, 'dist/migrations/001_initial.sql')), 'the migrations ship next to the migrator')
  t.ok(existsSync(join(pkg, 'dist/board/app.js')) && existsSync(join(pkg, 'dist/board/index.html')), 'the status board ships next to its routes')

  const version = await run('npx', ['--no-install', 'blast-tasks', '--version'], { cwd: app })
  t.equal(version.out.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, 'npx blast-tasks runs the compiled CLI, with no warning')

  const init = await run('npx', ['--no-install', 'blast-tasks', 'init'], { cwd: app })
  t.equal(init.code, 0, 'init succeeds in the folder npm install made') || t.comment(init.out)
  const scaffold = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> }
  t.match(scaffold.dependencies['blast-tasks'], /^file:/, 'the dependency npm install wrote is kept')
  const manifest = readFileSync(join(app, 'blast.tasks.yaml'), 'utf8')
  const schemaRef = /\$schema=(\S+)/.exec(manifest)?.[1]
  t.ok(schemaRef && existsSync(join(app, schemaRef)), `the manifest's $schema (${schemaRef}) resolves inside node_modules`)
  for (const file of ['.gitignore', '.dockerignore', 'Dockerfile', 'README.md', 'tsconfig.json', 'plugins/redshift-class.ts', 'test/redshift-class.test.ts']) {
    t.ok(existsSync(join(app, file)), `scaffold has ${file}`)
  }
  const again = await run('npx', ['--no-install', 'blast-tasks', 'init'], { cwd: app })
  t.equal(again.code, 1, 'a second init refuses to overwrite')
  t.match(again.out, /nothing was written/)

  const devInstall = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app })
  t.equal(devInstall.code, 0, "npm install of the scaffold's dev dependencies") || t.comment(devInstall.out)
  t.notMatch(devInstall.out, /EBADENGINE/, 'no engine warning')

  const tested = await run('npm', ['test'], { cwd: app })
  t.equal(tested.code, 0, "the scaffold's npm test passes") || t.comment(tested.out)
  t.match(tested.out, /# pass 2|ℹ pass 2/, 'both tests of the example task ran and passed')
  t.notMatch(tested.out, /ℹ fail [1-9]/)

  const typecheck = await run('npm', ['run', 'typecheck'], { cwd: app })
  t.equal(typecheck.code, 0, "the scaffold type-checks against the package's declarations") || t.comment(typecheck.out)

  // npm start: its own process group, so that the runtime under npm gets the SIGTERM too
  const token = 'pack-test-token-0123456789abcdef'
  const child = spawn('npm', ['start'], { cwd: app, env: { ...env, PORT: '0', BLAST_API_TOKEN: token }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', chunk => { output += chunk })
  child.stderr.on('data', chunk => { output += chunk })
  const exited = new Promise<number | null>(resolve => child.on('close', resolve))
  let stopped = false
  child.stdout.on('data', () => { stopped ||= /"msg":"stopped"/.test(output) })
  t.teardown(() => { if (child.exitCode === null) try { process.kill(-child.pid!, 'SIGKILL') } catch {} })

  const base = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
    return /"address":"(http:\/\/[^"]+)"/.exec(output)?.[1] ?? false
  }, { timeoutMs: 120000, intervalMs: 100, what: 'the control API listening' })
  const posted = await fetch(`${base}/api/v1/transients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: '2011fe', ra_deg: 210.774, dec_deg: 54.274, redshift: 0.0008 })
  })
  t.equal(posted.status, 201, 'a transient is accepted') || t.comment(await posted.text())
  const task = await waitFor(async () => {
    const res = await fetch(`${base}/api/v1/transients/2011fe`)
    const body = await res.json() as { tasks: Array<{ task: string; status: string; output: unknown }> }
    const row = body.tasks.find(r => r.task === 'Redshift class')
    return row && row.status !== 'not processed' && row.status !== 'processing' ? row : false
  }, { timeoutMs: 60000, intervalMs: 100, what: 'Redshift class of 2011fe settled' })
  t.same({ status: task.status, output: task.output }, { status: 'processed', output: { nearby: true } }, "the scaffold's task ran on it")
  t.ok(existsSync(join(app, '.blast/pgdata')), 'on the embedded database, in ./.blast')

  // npm passes the signal on and then ends by it; the runtime's own log says whether it stopped cleanly
  process.kill(-child.pid!, 'SIGTERM')
  await exited
  t.ok(stopped, 'SIGTERM stops the runtime cleanly ("stopped" logged)') || t.comment(output)
})


