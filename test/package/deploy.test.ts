// The deployment files agree with the runtime: the image runs as a non-root user, checks /ready
// and stops on SIGTERM; compose runs PostgreSQL, one API process and two --no-api workers; every
// stop timeout (compose, systemd) is longer than the runtime's shutdown grace, so runs in flight
// finish before a SIGKILL. `docker compose config` and `systemd-analyze verify` check the files
// too where this machine has them (docs/deploy.md says which were run).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { parse } from 'yaml'
import { DEFAULTS } from '../../runtime/settings.ts'

const ROOT = join(import.meta.dirname, '../..')
const run = promisify(execFile)
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')
const seconds = (value: string): number => {
  const match = /^(\d+)(s|m)?$/.exec(value.trim())
  if (!match) throw new Error(`not a duration: ${value}`)
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1)
}

for (const file of ['Dockerfile', 'templates/init/Dockerfile']) {
  t.test(`${file}: non-root, health check on /ready, SIGTERM`, async t => {
    const text = read(file)
    const instructions = text.split('\n').filter(line => /^[A-Z]+\s/.test(line))
    const user = instructions.filter(line => line.startsWith('USER ')).at(-1)
    t.ok(user && !/^USER\s+(root|0)\b/.test(user), `runs as ${user}`)
    t.ok(instructions.indexOf(user!) < instructions.findIndex(line => line.startsWith('ENTRYPOINT ')), 'the user is set before the entrypoint')
    t.match(text, /^HEALTHCHECK .*\\\n\s+CMD .*\/ready/m, 'HEALTHCHECK asks /ready')
    t.match(text, /^STOPSIGNAL SIGTERM$/m)
    t.match(text, /^ENV [^]*BLAST_DATA_DIR=\/data/m, 'the embedded database in the volume')
  })
}

t.test('compose.yaml: PostgreSQL, one API process, two workers, stop grace longer than the runtime\'s', async t => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, { command?: string[]; deploy?: { replicas?: number }; stop_grace_period?: string; healthcheck?: { disable?: boolean }; environment?: Record<string, string>; image?: string; ports?: string[] }>
  }
  const { postgres, api, worker } = compose.services
  t.match(postgres?.image, /^postgres:/)
  t.same(api?.command, ['start'], 'the API process')
  t.ok(api?.ports?.length, 'publishes the API')
  t.same(worker?.command, ['start', '--no-api'], 'workers serve no API')
  t.equal(worker?.deploy?.replicas, 2, 'two workers')
  t.equal(worker?.healthcheck?.disable, true, 'a worker has no /ready to check')
  for (const [name, service] of Object.entries({ api, worker })) {
    t.match(service?.environment?.DATABASE_URL, /@postgres:5432\//, `${name} uses the compose PostgreSQL`)
    const grace = Number(service?.environment?.BLAST_SHUTDOWN_GRACE_SECONDS ?? DEFAULTS.shutdownGraceSeconds)
    t.ok(seconds(service!.stop_grace_period!) > grace, `${name}: stop_grace_period ${service!.stop_grace_period} > ${grace} s grace`)
  }
})

t.test('deploy/blast-tasks.service: SIGTERM, then longer than the grace before SIGKILL', async t => {
  const unit = read('deploy/blast-tasks.service')
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1]
  t.equal(value('KillSignal'), 'SIGTERM')
  t.equal(value('KillMode'), 'mixed', 'the signal goes to the runtime; SIGKILL to what is left at the timeout')
  t.ok(seconds(value('TimeoutStopSec')!) > DEFAULTS.shutdownGraceSeconds, `TimeoutStopSec ${value('TimeoutStopSec')} > ${DEFAULTS.shutdownGraceSeconds} s`)
  t.match(value('User'), /^(?!root$)\w+/, 'not root')
  t.match(value('ExecStart'), /blast-tasks\.js start$/)
})

const has = (command: string, args: string[]) => run(command, args).then(() => true, () => false)
const systemdAnalyze = await has('systemd-analyze', ['--version'])
t.test('systemd-analyze verify reports nothing', { skip: systemdAnalyze ? false : 'systemd-analyze is not installed' }, async t => {
  const { stderr } = await run('systemd-analyze', ['verify', join(ROOT, 'deploy/blast-tasks.service')])
  t.equal(stderr.trim(), '')
})

const dockerCompose = await has('docker', ['compose', 'version'])
t.test('docker compose config accepts compose.yaml', { skip: dockerCompose ? false : 'docker compose is not installed' }, async t => {
  const ran = await run('docker', ['compose', 'config', '--quiet'], { cwd: ROOT, env: { ...process.env, BLAST_API_TOKEN: 'x' } })
  t.equal(ran.stderr.trim(), '')
})

// Debian's docker-compose is Compose v1 (1.29): it predates the top-level `name:` of the Compose
// Specification and refuses it, so it reads a copy without that line. It still interpolates the
// variables, merges the `x-blast` anchors and validates every service against its schema.
const composeV1 = !dockerCompose && await has('docker-compose', ['version'])
t.test('docker-compose (v1) config accepts compose.yaml, its top-level name aside', { skip: composeV1 ? false : 'docker-compose (v1) is not installed either' }, async t => {
  const dir = mkdtempSync(join(tmpdir(), 'blast-compose-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const text = read('compose.yaml')
  t.match(text, /^name: blast-tasks$/m)
  writeFileSync(join(dir, 'compose.yaml'), text.replace(/^name: .*\n/m, ''))
  const config = (env: NodeJS.ProcessEnv) => run('docker-compose', ['-f', join(dir, 'compose.yaml'), 'config'], { cwd: dir, env: { ...process.env, ...env } })
  const { stdout } = await config({ BLAST_API_TOKEN: 'token-x' })
  const resolved = parse(stdout) as { services: Record<string, { environment?: Record<string, string>; stop_grace_period?: string }> }
  t.same(Object.keys(resolved.services).sort(), ['api', 'postgres', 'worker'])
  t.equal(resolved.services.worker.environment?.BLAST_API_TOKEN, 'token-x', 'the x-blast environment reaches the workers')
  t.equal(resolved.services.worker.stop_grace_period, '20s')
  const refused = await config({ BLAST_API_TOKEN: '' }).catch((error: { code: number; stderr: string }) => error)
  t.match(refused, { stderr: /set BLAST_API_TOKEN/ }, 'without BLAST_API_TOKEN compose refuses, saying why')
})

t.test('the root image\'s entrypoint, node bin/blast-tasks.js, runs the checkout\'s TypeScript', async t => {
  const version = await run(process.execPath, [join(ROOT, 'bin/blast-tasks.js'), '--version'])
  t.equal(version.stdout.trim(), JSON.parse(read('package.json')).version)
  const unknown = await run(process.execPath, [join(ROOT, 'bin/blast-tasks.js'), 'strat']).catch((error: { code: number; stderr: string }) => error)
  t.match(unknown, { code: 2, stderr: /unknown command "strat"; did you mean "start"\?/ }, 'the exit code of the command reaches the shell')
})
