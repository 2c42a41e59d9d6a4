// What every scenario returns, the options every script takes, and the entry point that lets each
// scenario run on its own (`npx node bench/throughput.ts --quick`) or under bench/run.ts.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/** the scenarios, in the order the issue lists them; each is bench/<name>.ts */
export const SCENARIOS = ['throughput', 'latency', 'sweep', 'startup', 'api', 'manifest', 'cpu', 'soak'] as const

export interface Target {
  readonly what: string
  readonly value: number
  readonly target: string
  readonly met: boolean
}

export interface ScenarioResult {
  readonly scenario: string
  /** the one line printed for the scenario */
  readonly line: string
  /** further lines (sub-measurements, profile summaries) */
  readonly details: readonly string[]
  readonly database: string
  readonly quick: boolean
  readonly seconds: number
  readonly metrics: Record<string, unknown>
  readonly targets: readonly Target[]
}

export interface BenchOptions {
  /** small sizes: checks that the scenario runs, measures little */
  readonly quick: boolean
  /** write CPU profiles and statement timings of the runtime here (null: no profiling) */
  readonly profileDir: string | null
}

export const USAGE = `options:
  --quick            small sizes (checks the scenario runs; for CI)
  --profile <dir>    CPU-profile the runtime and time its SQL statements; summaries in the results
  --json <file>      write the result as JSON`

export function parseOptions (argv: readonly string[]): BenchOptions & { json: string | null; only: string[] } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: false
  })
  if (values.help) {
    process.stdout.write(USAGE + '\n')
    process.exit(0)
  }
  return {
    quick: values.quick!,
    profileDir: values.profile ? resolve(values.profile) : null,
    json: values.json ?? null,
    only: values.only ? values.only.split(',') : []
  }
}

export function isMain (meta: ImportMeta): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(meta.url)
}

/** runs a scenario when its file is the entry point: prints its lines, writes --json */
export async function main (meta: ImportMeta, scenario: (options: BenchOptions) => Promise<ScenarioResult>): Promise<void> {
  if (!isMain(meta) || process.env.BENCH_PHASE) return
  const options = parseOptions(process.argv.slice(2))
  const result = await scenario(options)
  process.stdout.write([result.line, ...result.details.map(line => `  ${line}`)].join('\n') + '\n')
  if (options.json) writeFileSync(options.json, JSON.stringify(result, null, 2) + '\n')
  process.exit(0) // a pool or timer left open must not keep a finished scenario alive
}

export function target (what: string, value: number, wanted: string, met: boolean): Target {
  return { what, value, target: wanted, met }
}
