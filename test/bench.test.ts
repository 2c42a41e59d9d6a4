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
