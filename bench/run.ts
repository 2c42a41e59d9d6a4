// `npm run bench`: every scenario, each in its own process, one line each, then the results as
// JSON (bench/results/latest.json; `--quick` → latest-quick.json). PostgreSQL from DATABASE_URL,
// else the embedded database. `--only throughput,latency` runs some; `--profile <dir>` adds CPU
// profiles and statement timings of the runtime to scenarios 1 and 2.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { ROOT, exited } from './lib/child.ts'
import { DATABASE, machine, tempDir } from './lib/env.ts'
import { SCENARIOS, USAGE, isMain, parseOptions, type ScenarioResult } from './lib/report.ts'

interface Ran extends ScenarioResult { loadAverage: { before: number; after: number } }

async function runScenario (name: string, args: string[]): Promise<Ran> {
  const dir = tempDir('run')
  const out = join(dir, 'result.json')
  const before = loadavg()[0]
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bench', `${name}.ts`), ...args, '--json', out], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit']
    })
    const code = await exited(child)
    if (code !== 0) throw new Error(`scenario ${name} exited with ${code}`)
    const result = JSON.parse(readFileSync(out, 'utf8')) as ScenarioResult
    return { ...result, loadAverage: { before, after: loadavg()[0] } }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function run (): Promise<number> {
  const argv = process.argv.slice(2)
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: npm run bench -- [--quick] [--only ${SCENARIOS.join(',')}] [--profile <dir>] [--json <file>]\n${USAGE}\n`)
    return 0
  }
  const options = parseOptions(argv)
  const unknown = options.only.filter(name => !(SCENARIOS as readonly string[]).includes(name))
  if (unknown.length) {
    process.stderr.write(`unknown scenario ${unknown.join(', ')}; scenarios: ${SCENARIOS.join(', ')}\n`)
    return 2
  }
  const chosen = options.only.length ? SCENARIOS.filter(name => options.only.includes(name)) : [...SCENARIOS]
  const out = options.json ?? join(ROOT, 'bench', 'results', options.quick ? 'latest-quick.json' : 'latest.json')
  const args = [...(options.quick ? ['--quick'] : []), ...(options.profileDir ? ['--profile', options.profileDir] : [])]
  const info = await machine()
  process.stdout.write(`blast-tasks benchmarks on ${info.cores} cores (${info.cpu}), ${info.memoryGb} GB, node ${info.node}, ` +
    `pg-boss ${info.pgBoss}, ${DATABASE === 'postgres' ? `PostgreSQL ${info.postgres}` : `embedded PGlite ${info.pglite}`}` +
    `${options.quick ? ', quick' : ''}; load average ${loadavg()[0].toFixed(1)}\n`)
  const started = performance.now()
  const results: Ran[] = []
  const failed: string[] = []
  for (const name of chosen) {
    try {
      // once more on failure: on a shared machine a test suite may restart PostgreSQL under us
      const result = await runScenario(name, args).catch(err => {
        process.stdout.write(`${name.padEnd(11)} failed (${(err as Error).message}); running it again\n`)
        return runScenario(name, args)
      })
      results.push(result)
      const missed = result.targets.filter(t => !t.met).map(t => t.what)
      process.stdout.write(result.line + (missed.length ? `  TARGET MISSED: ${missed.join('; ')}` : '') + '\n')
      for (const line of result.details) process.stdout.write(`    ${line}\n`)
    } catch (err) {
      failed.push(name)
      process.stdout.write(`${name.padEnd(11)} FAILED: ${(err as Error).message}\n`)
    }
  }
  const totalSeconds = (performance.now() - started) / 1000
  process.stdout.write(`${results.length} of ${chosen.length} scenarios ran in ${Math.round(totalSeconds)} s; results in ${out}\n`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(),
    machine: info,
    options: { quick: options.quick, profile: options.profileDir !== null, only: chosen },
    totalSeconds,
    failed,
    scenarios: results
  }, null, 2) + '\n')
  return failed.length ? 1 : 0
}

if (isMain(import.meta)) process.exitCode = await run()
