// What npm prints in this checkout when npm itself runs on the machine's own Node (20 here), older
// than the `engines` of pg-boss, cookie, content-disposition and blast-tasks (>= 22): `npm install`
// (a dry run from the lockfile) and a first `npx blast-tasks` (which installs the checkout into
// npx's cache and checks its `engines` there) print no EBADENGINE warnings, because `.npmrc` keeps
// npm to errors. The same install without `.npmrc` does warn: that is what this file guards.
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import t from 'tap'

const ROOT = join(import.meta.dirname, '../..')

// the machine's PATH: without this checkout's node_modules/.bin, where the Node 24 of npm scripts is;
// without npm's settings for this test run (npm_config_loglevel among them), which would hide the point
const env: NodeJS.ProcessEnv = {}
for (const [name, value] of Object.entries(process.env)) {
  if (!/^(npm_|INIT_CWD$|NODE_OPTIONS$|NODE_V8_COVERAGE$|TAP|_TAPJS)/i.test(name)) env[name] = value
}
env.PATH = (process.env.PATH ?? '').split(delimiter).filter(dir => !dir.includes('node_modules')).join(delimiter)

function run (command: string, args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', chunk => { out += chunk })
    child.stderr.on('data', chunk => { out += chunk })
    child.on('error', reject)
    child.on('close', code => resolve({ code, out }))
  })
}

const version = (await run('node', ['--version'], ROOT).catch(() => ({ code: 1, out: '' }))).out.trim()
const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
const old = major < 22 || (major === 22 && minor < 12)

if (!version) t.plan(0, 'no node on the machine\'s PATH')
else if (!old) t.plan(0, `the machine's own Node is ${version}, new enough for every engines field: npm has nothing to warn about`)
else {
  t.comment(`npm runs on the machine's Node ${version}`)
  const scratch = mkdtempSync(join(tmpdir(), 'blast-npm-output-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
  const cache = join(scratch, 'cache')

  /** package.json and the lockfile in a folder of their own, with or without the checkout's .npmrc */
  const copy = (name: string, npmrc: boolean): string => {
    const dir = mkdtempSync(join(scratch, `${name}-`))
    for (const file of ['package.json', 'package-lock.json', ...(npmrc ? ['.npmrc'] : [])]) copyFileSync(join(ROOT, file), join(dir, file))
    return dir
  }
  const install = (dir: string) => run('npm', ['install', '--dry-run', '--no-audit', '--no-fund', '--prefer-offline'], dir, { npm_config_cache: cache })

  t.test('without .npmrc npm warns: the engines of the dependencies are newer than its Node', async t => {
    const { code, out } = await install(copy('bare', false))
    t.equal(code, 0, 'exits 0') || t.comment(out)
    t.match(out, /EBADENGINE[\s\S]*pg-boss@/, 'pg-boss')
  })

  t.test('npm install prints no EBADENGINE in the checkout', async t => {
    const { code, out } = await install(copy('checkout', true))
    t.equal(code, 0, 'exits 0') || t.comment(out)
    t.notMatch(out, /EBADENGINE|npm warn/, 'no warning') || t.comment(out)
    t.match(out, /added \d+ packages/, 'it did install (dry run)')
  })

  t.test('a first npx blast-tasks prints its help and no EBADENGINE', async t => {
    const { code, out } = await run('npx', ['blast-tasks', '--help'], ROOT, { npm_config_cache: join(scratch, 'npx-cache') })
    t.equal(code, 0, 'exits 0') || t.comment(out)
    t.notMatch(out, /EBADENGINE|npm warn/, 'no warning') || t.comment(out)
    t.match(out, /^usage: blast-tasks <command>/m)
  })
}
