// `npm run bench -- --quick` runs every scenario to the end (small sizes; the numbers are printed,
// never asserted: the machine is shared and timings drift). On PostgreSQL when DATABASE_URL is set.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { SCENARIOS } from '../bench/lib/report.ts'

const root = new URL('..', import.meta.url).pathname

t.test('npm run bench -- --quick runs every scenario', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'blast-bench-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'results.json')
  const child = spawn(process.execPath, [join(root, 'bench', 'run.ts'), '--quick', '--json', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => { stdout += chunk })
  child.stderr.on('data', chunk => { stderr += chunk })
  const code = await new Promise(resolve => child.once('exit', resolve))
  for (const line of stdout.trimEnd().split('\n')) t.comment(line)
  t.equal(code, 0, `exit code; stderr: ${stderr}`)
  const results = JSON.parse(readFileSync(out, 'utf8'))
  t.same(results.failed, [])
  t.same(results.scenarios.map((s: { scenario: string }) => s.scenario), [...SCENARIOS])
  for (const scenario of results.scenarios) {
    t.match(scenario.line, new RegExp(`^${scenario.scenario}\\s`), `${scenario.scenario} printed its line`)
    t.equal(scenario.quick, true)
  }
})

t.test('bench/schema-variants.ts runs each variant\'s DDL on its own schema, and stops at one that fails', async t => {
  const run = async (...args: string[]) => {
    const child = spawn(process.execPath, [join(root, 'bench', 'schema-variants.ts'), '--rounds', '1', '--n', '12', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => { stdout += chunk })
    child.stderr.on('data', chunk => { stderr += chunk })
    const code = await new Promise(resolve => child.once('exit', resolve))
    return { code, stdout, stderr }
  }
  const ok = await run('without 010=DROP STATISTICS {{schema}}.task_status_task_status; DROP INDEX {{schema}}.task_status_by_status')
  t.equal(ok.code, 0, ok.stderr)
  t.match(ok.stdout, /^as migrated\s+p50 [\d.]+ ms/m)
  t.match(ok.stdout, /^without 010\s+p50 [\d.]+ ms/m)
  // the DDL really runs on the variant's schema: a statement that cannot is an error, not a silent variant
  const broken = await run('broken=DROP INDEX {{schema}}.no_such_index')
  t.not(broken.code, 0)
  t.match(broken.stderr, /no_such_index/)
  const malformed = await run('no equals sign')
  t.not(malformed.code, 0)
  t.match(malformed.stderr, /a variant is name=SQL/)
})
