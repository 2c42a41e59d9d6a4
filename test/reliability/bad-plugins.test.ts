// Bad plugins: one that throws, returns an undeclared status, returns nothing, hangs past its
// timeout, ignores its abort signal, or calls process.exit() ends in a defined status with its error
// recorded (register and history). One that gets a syntax error or a second export while running is
// rejected with diagnostics (log and API) and its last good version keeps running; at start, the
// runtime refuses it with file:line:col. The runtime process keeps serving every other task.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { Deployment, until, type LogLine } from './fixtures/harness.ts'

const GOOD = 'export function process (): string {\n  return \'processed\'\n}\n'

const EXPECTED: Record<string, { status: string; error: RegExp }> = {
  Throws: { status: 'failed', error: /^catalogue unreachable$/ },
  'Undeclared status': { status: 'failed', error: /^process\(\) returned status "procesed", which is not a declared final status; declared: processed, failed, time limit exceeded$/ },
  'Returns nothing': { status: 'failed', error: /^process\(\) returned nothing; it must return a declared status message or \{ status, output \}/ },
  Hangs: { status: 'time limit exceeded', error: /^exceeded timeout_seconds=1$/ },
  'Ignores abort': { status: 'time limit exceeded', error: /^exceeded timeout_seconds=1$/ },
  // broken while running: the edit is rejected (diagnostics in the log and the API), the last good version runs
  'Syntax error': { status: 'processed', error: /^$/ },
  'Exports more': { status: 'processed', error: /^$/ },
  Exits: { status: 'failed', error: /^plugin of "Exits" called process\.exit\(7\); a plugin may not end the runtime$/ },
  'Unstorable output': { status: 'failed', error: /^process\(\) returned an output the database cannot store \(U\+0000 or a lone surrogate\)$/ },
  'Unstorable error': { status: 'failed', error: /^bad byte \\0 and half a pair \uFFFD$/ },
  Healthy: { status: 'processed', error: /^$/ },
  'After healthy': { status: 'processed', error: /^$/ }
}

t.test('every kind of bad plugin ends in a defined status with its error; the runtime keeps serving', async t => {
  const deployment = new Deployment(t, { manifest: 'bad-plugins.yaml' })
  const syntax = join(deployment.dir, 'plugins/bad/syntax-error.ts')
  const exports = join(deployment.dir, 'plugins/bad/exports.ts')
  writeFileSync(syntax, GOOD)
  writeFileSync(exports, GOOD)
  // valid at start (the runtime refuses a manifest whose plugins do not load), broken while it runs
  const proc = await deployment.spawn()
  await proc.ready()
  writeFileSync(syntax, 'export function process (): string {\n  return processed\'\n}\n')
  writeFileSync(exports, `${GOOD}export const helper = 1\n`)
  const errors = (line: LogLine) => (line.diagnostics as string[]).filter(d => d.includes(' error '))
  const rejected = await proc.waitForLog(line => line.msg === 'manifest edit rejected; the last good manifest keeps running' && errors(line).length === 2, 30000)
  t.match(errors(rejected), [
    /^blast\.tasks\.yaml:\d+:\d+ error BLAST_PLUGIN_EXPORTS plugins\/bad\/exports\.ts exports "helper", "process"; a plugin exports only process/,
    /^plugins\/bad\/syntax-error\.ts:2:\d+ error BLAST_PLUGIN_LOAD plugins\/bad\/syntax-error\.ts has a syntax error/
  ], 'the broken plugins are rejected with their positions')
  const { body: manifest } = await proc.api('GET', '/api/v1/manifest')
  t.match(manifest, { last_attempt_ok: false, diagnostics: [{ code: 'BLAST_PLUGIN_EXPORTS' }, { code: 'BLAST_PLUGIN_LOAD', line: 2 }] },
    'GET /api/v1/manifest shows them')

  const create = async (names: string[]) => {
    const { status } = await proc.api('POST', '/api/v1/transients', names.map((name, i) => ({ name, ra_deg: i, dec_deg: 0 })))
    t.equal(status, 201, `created ${names.join(', ')}`)
  }
  const settled = async (name: string) => {
    const { body } = await proc.api('GET', `/api/v1/transients/${name}`)
    return body.tasks.every((r: { status: string }) => r.status !== 'not processed' && r.status !== 'processing') && body
  }
  await create(['2024bad1', '2024bad2'])
  for (const name of ['2024bad1', '2024bad2']) {
    const detail = await until(() => settled(name), `${name} settled`, 60000, 200)
    for (const register of detail.tasks) {
      const want = EXPECTED[register.task]
      t.equal(register.status, want.status, `${name} ${register.task}: ${want.status}`)
      t.match(register.last_error ?? '', want.error, `${name} ${register.task}: error recorded`)
      t.equal(register.attempts, 1, `${name} ${register.task}: one attempt`)
    }
  }
  const { body: runs } = await proc.api('GET', '/api/v1/runs?transient=2024bad1&task=Throws')
  t.match(runs.items[0], { status: 'failed', error: 'catalogue unreachable', stack: /TypeError: catalogue unreachable\n\s+at process/ }, 'the history keeps the stack')
  t.ok(proc.lines.some(line => line.msg === 'run failed' && line.task === 'Exits' && /process\.exit\(7\)/.test(String(line.err))), 'the failure is logged with its task')

  t.ok(proc.alive, 'process.exit() in a plugin did not end the runtime')
  t.equal((await proc.api('GET', '/ready')).status, 200, 'the runtime is ready')
  await create(['2024bad3'])
  const later = await until(() => settled('2024bad3'), '2024bad3 settled', 60000, 200)
  t.same(later.tasks.filter((r: { task: string }) => r.task.includes('ealthy')).map((r: { status: string }) => r.status), ['processed', 'processed'],
    'healthy tasks keep running on new transients')

  // a plugin that does not load is refused up front when a runtime starts: file:line:col, nothing started
  const refused = await deployment.spawn({ api: false })
  t.equal((await refused.exited).code, 1, 'a runtime does not start on a manifest whose plugin has a syntax error')
  t.match(refused.output, /blast-tasks: BLAST_MANIFEST_INVALID manifest .* has errors:\n/, 'it says why')
  t.match(refused.output, /plugins\/bad\/syntax-error\.ts:2:\d+ error BLAST_PLUGIN_LOAD plugins\/bad\/syntax-error\.ts has a syntax error/, 'with the position')
  t.match(refused.output, /error BLAST_PLUGIN_EXPORTS plugins\/bad\/exports\.ts exports "helper", "process"; a plugin exports only process/, 'and every problem')
})
