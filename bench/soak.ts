// Scenario 7, soak: a million runs through Blast's 17-task workflow (a plugin that returns at once)
// in one runtime process under a fixed heap limit (--max-old-space-size=256), in rounds of 1,000
// transients (bench/lib/soak-driver.ts: the first round creates them, each later one reprocesses them
// all and waits until every one is completed again). After every round: heap after a full GC, RSS,
// history rows, and the on-disk size of our schema and pg-boss's. Memory must stay flat after warm-up,
// and storage level off under the retention policy (defaults, but pg-boss's archive at 0.001 days so
// that its deletion shows within the run). The series is in the result and, for a full run, in
// bench/results/soak-latest.csv. BENCH_SOAK_RUNS (1,000,000) and BENCH_SOAK_MINUTES (none) bound it.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT, exited, phaseMain } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, onPostgres, removeDir, tempDir, withClient } from './lib/env.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { soak as drive, type SoakInput, type SoakOutput, type Sample } from './lib/soak-driver.ts'
import { int, mb } from './lib/stats.ts'
import { BLAST_WORKFLOW, blastManifest, writeProject } from './lib/workflow.ts'

const HEAP_LIMIT_MB = 256
/** rounds before the heap is taken as warmed up (pools, JIT, pg-boss caches, history reaching its limit) */
const WARMUP_ROUNDS = 5
const POLICY = { historyDays: 30, historyPerTask: 20, bossArchiveDays: 0.001, intervalSeconds: 60 }

await phaseMain<SoakInput, SoakOutput>('soak', drive)

const CSV_COLUMNS = ['round', 'runs', 'seconds', 'heapUsedBytes', 'rssBytes', 'historyRows', 'schemaBytes', 'bossSchemaBytes', 'bossJobRows'] as const

export function toCsv (samples: readonly Sample[]): string {
  return [CSV_COLUMNS.join(','), ...samples.map(s => CSV_COLUMNS.map(c => typeof s[c] === 'number' && c === 'seconds' ? s[c].toFixed(1) : s[c]).join(','))].join('\n') + '\n'
}

export async function soak (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const pool = options.quick ? 20 : 1000
  const runs = options.quick ? pool * BLAST_WORKFLOW.length * 3 : Number(process.env.BENCH_SOAK_RUNS || 1_000_000)
  const minutes = Number(process.env.BENCH_SOAK_MINUTES || 0)
  const dir = tempDir('soak')
  const schemas = freshSchemas()
  const samplesFile = join(dir, 'samples.jsonl')
  const out = join(dir, 'out.json')
  try {
    const manifest = writeProject(join(dir, 'project'), blastManifest())
    // Deleted rows' space is reused once VACUUM has marked it free. A server with autovacuum off (this
    // shared test machine's) never does: the soak then vacuums after every round, as autovacuum would.
    const autovacuum = onPostgres ? await withClient(async client => (await client.query('SHOW autovacuum')).rows[0].autovacuum as string) : 'embedded'
    const input: SoakInput = {
      manifest,
      databaseUrl: DATABASE_URL,
      dataDir: DATABASE_URL ? null : join(dir, 'data'),
      ...schemas,
      pool,
      runs,
      deadline: minutes ? Date.now() + minutes * 60_000 : 0,
      sampleEvery: 1,
      samplesFile,
      retention: POLICY,
      vacuum: autovacuum === 'off'
    }
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, '--expose-gc', fileURLToPath(import.meta.url)], {
      cwd: ROOT,
      env: { ...process.env, BENCH_PHASE: 'soak', BENCH_PHASE_INPUT: JSON.stringify(input), BENCH_PHASE_OUTPUT: out },
      stdio: ['ignore', 'inherit', 'inherit']
    })
    const code = await exited(child)
    // a child that died (out of heap) still left its samples: they are the finding
    const samples = readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean).map(line => JSON.parse(line) as Sample)
    const output: SoakOutput = code === 0
      ? JSON.parse(readFileSync(out, 'utf8'))
      : { samples, runs: samples[samples.length - 1]?.runs ?? 0, rounds: samples[samples.length - 1]?.round ?? 0, stoppedBy: 'deadline' }
    const last = samples[samples.length - 1]!
    const warm = samples.find(s => s.round >= WARMUP_ROUNDS) ?? samples[Math.min(1, samples.length - 1)]!
    const afterWarmup = last.runs - warm.runs
    const heapPerRun = afterWarmup > 0 ? (last.heapUsedBytes - warm.heapUsedBytes) / afterWarmup : 0
    const max = (pick: (s: Sample) => number) => Math.max(...samples.map(pick))
    const half = samples[Math.floor(samples.length / 2)]!
    const bytes = (s: Sample) => s.schemaBytes + s.bossSchemaBytes
    const historyBound = pool * BLAST_WORKFLOW.length * POLICY.historyPerTask
    const lateHistory = Math.max(...samples.slice(Math.floor(samples.length / 2)).map(s => s.historyRows))
    const metrics = {
      exitCode: code,
      autovacuum,
      vacuumEveryRound: input.vacuum,
      heapLimitMb: HEAP_LIMIT_MB,
      pool,
      runsTarget: runs,
      runs: output.runs,
      rounds: output.rounds,
      stoppedBy: code === 0 ? output.stoppedBy : `exit code ${code}`,
      runsPerSecond: output.runs / last.seconds,
      warmupRound: warm.round,
      heapAfterWarmupBytes: warm.heapUsedBytes,
      heapEndBytes: last.heapUsedBytes,
      heapMaxBytes: max(s => s.heapUsedBytes),
      heapGrowthPerRunAfterWarmupBytes: heapPerRun,
      rssAfterWarmupBytes: warm.rssBytes,
      rssEndBytes: last.rssBytes,
      rssMaxBytes: max(s => s.rssBytes),
      historyRowsEnd: last.historyRows,
      historyRowsMax: max(s => s.historyRows),
      historyBound,
      databaseBytesMidway: bytes(half),
      databaseBytesEnd: bytes(last),
      databaseBytesMax: max(bytes),
      bossJobRowsEnd: last.bossJobRows,
      bossJobRowsMax: max(s => s.bossJobRows),
      policy: POLICY,
      series: samples
    }
    if (!options.quick) writeFileSync(join(ROOT, 'bench', 'results', 'soak-latest.csv'), toCsv(samples))
    const line = `soak        ${int(output.runs)} runs (${int(metrics.runsPerSecond)}/s) under a ${HEAP_LIMIT_MB} MB heap: ` +
      `heap after GC ${mb(warm.heapUsedBytes)} after warm-up → ${mb(last.heapUsedBytes)} at the end (${heapPerRun.toFixed(2)} B/run), ` +
      `RSS ${mb(last.rssBytes)}; history ${int(last.historyRows)} rows, database ${mb(bytes(last))}  [${pool} x ${BLAST_WORKFLOW.length} tasks per round on ${DATABASE}]`
    return {
      scenario: 'soak',
      line,
      details: [
        `history rows max ${int(metrics.historyRowsMax)} (policy bound ${int(historyBound)}); pg-boss job rows at the end ${int(last.bossJobRows)}, max ${int(metrics.bossJobRowsMax)}`,
        `our schema + pg-boss's: ${mb(bytes(warm))} after warm-up, ${mb(bytes(half))} midway, ${mb(bytes(last))} at the end (max ${mb(metrics.databaseBytesMax)})`,
        `stopped by: ${metrics.stoppedBy}; ${onPostgres ? `autovacuum ${autovacuum}` : 'embedded database: the pruner vacuums'}` +
          `${input.vacuum ? ', so VACUUM of both schemas after every round' : ''}`
      ],
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics,
      targets: [
        target('exit code', code ?? -1, '0 (no heap exhaustion)', code === 0),
        // --quick runs too few rounds for a slope to mean anything
        ...(options.quick ? [] : [target('heap growth per run after warm-up, bytes', heapPerRun, '<= 50', heapPerRun <= 50)]),
        // between two passes of the pruner (60 s) the history grows past the bound, and the pass cuts it back
        target('history rows in the second half, max', lateHistory, `<= 1.5 x ${historyBound} (policy)`, lateHistory <= 1.5 * historyBound)
      ]
    }
  } finally {
    await dropSchemas(schemas.schema, schemas.bossSchema)
    removeDir(dir)
  }
}

await main(import.meta, soak)
