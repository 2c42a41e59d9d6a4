// Scenario 1, throughput: N transients through a one-task manifest whose plugin returns `processed`
// at once — claim, run, status and history, the whole runtime — against two baselines on the same
// database in the same run: raw pg-boss insert + work() of N jobs (batch 100, burst), and, on
// PostgreSQL, graphile-worker 0.18 with its batched settings (local queue 500, batched completion,
// concurrency 24, jobs added in bulk). Each side runs in its own process, alternating, and the
// median of the rounds is reported.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PgBoss, fromPglite } from 'pg-boss'
import { Logger, makeWorkerUtils, run as runGraphile } from 'graphile-worker'
import { createLogger } from '../runtime/logger.ts'
import { Runtime } from '../runtime/runtime.ts'
import { phaseMain, runPhase } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { cpuWindow, type CpuTime } from './lib/cpu-time.ts'
import { markMeasured, profileLines, readProfile } from './lib/profile.ts'
import { serverStatementsWindow, type ServerStatement } from './lib/server-statements.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { RssPeak, int, mb, median, ratio, until } from './lib/stats.ts'
import { runsRecorded, singleTaskManifest, writeProject } from './lib/workflow.ts'

interface Input {
  n: number
  warmup: number
  chunk: number
  databaseUrl: string | null
  dataDir: string | null
  schema: string
  bossSchema: string
  manifest: string
}

interface Output { n: number; ms: number; perSecond: number; peakRss: number; maxRss: number; cpu: CpuTime; statements: ServerStatement[] | null }

const QUEUE = 'bench-throughput'
const BATCH = 100

function inputs (from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `tp${from + i}`,
    ra_deg: (from + i) % 360,
    dec_deg: ((from + i) % 180) - 90,
    public_timestamp: new Date(Date.UTC(2024, 0, 1) + (from + i) * 1000).toISOString()
  }))
}

/**
 * Each side alike: the warm-up sent and done, then the measured window (time, peak RSS, CPU, the
 * server's statements) over sending the n items in chunks and waiting until `done` counts them all.
 */
async function measure (input: Input, send: (from: number, count: number) => Promise<unknown>,
  done: (count: number) => Promise<boolean>, unit: 'run' | 'job'): Promise<Output> {
  for (let i = 0; i < input.warmup; i += input.chunk) await send(i, Math.min(input.chunk, input.warmup - i))
  await until(() => done(input.warmup), { what: `the warm-up ${unit}s` })
  markMeasured()
  const server = input.databaseUrl ? await serverStatementsWindow(input.databaseUrl, [input.schema, input.bossSchema]) : null
  const rss = new RssPeak()
  const cpu = cpuWindow()
  const started = performance.now()
  for (let i = 0; i < input.n; i += input.chunk) await send(input.warmup + i, Math.min(input.chunk, input.n - i))
  await until(() => done(input.warmup + input.n), { what: `every ${unit}`, intervalMs: 5 })
  const ms = performance.now() - started
  return { n: input.n, ms, perSecond: input.n / ms * 1000, peakRss: rss.stop(), maxRss: process.resourceUsage().maxRSS * 1024, cpu: cpu(), statements: await server?.() ?? null }
}

/** creates transients chunk by chunk as an ingest would, then waits until every run is recorded */
async function runtimePhase (input: Input): Promise<Output> {
  const runtime = await Runtime.start({
    manifest: input.manifest,
    databaseUrl: input.databaseUrl,
    dataDir: input.dataDir,
    schema: input.schema,
    bossSchema: input.bossSchema,
    logger: createLogger('warn'),
    batchSize: BATCH
  })
  // runs are counted in-process, then the count is confirmed in the database
  const counted = runsRecorded(runtime)
  const processed = async (count: number) => await counted() >= count &&
    (await runtime.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${input.schema}.task_status WHERE status = 'processed'`))[0].n >= count
  try {
    const output = await measure(input, (from, count) => runtime.upsertMany(inputs(from, count)), processed, 'run')
    const [history] = await runtime.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${input.schema}.run`)
    if (history.n < input.warmup + input.n) throw new Error(`only ${history.n} runs in the history`)
    return output
  } finally {
    await runtime.stop()
  }
}

/** what a careful pg-boss user writes: insert in batches, one worker with batch 100, LISTEN/NOTIFY */
async function bossPhase (input: Input): Promise<Output> {
  if (!input.databaseUrl) mkdirSync(input.dataDir!, { recursive: true })
  const pglite = input.databaseUrl ? null : await PGlite.create(join(input.dataDir!, 'pgdata'))
  const boss = new PgBoss({
    ...(pglite ? { db: fromPglite(pglite), backend: 'pglite' } : { connectionString: input.databaseUrl! }),
    schema: input.bossSchema,
    useListenNotify: true
  } as ConstructorParameters<typeof PgBoss>[0] & object)
  boss.on('error', err => console.error('pg-boss error', err))
  await boss.start()
  let handled = 0
  const query = async (text: string) => pglite ? (await pglite.query<{ n: number }>(text)).rows : (await boss.getDb().executeSql(text)).rows as Array<{ n: number }>
  // as for the runtime: count in-process, then confirm in the database (completion follows the handler)
  const completed = async (count: number) => handled >= count &&
    (await query(`SELECT count(*)::int AS n FROM ${input.bossSchema}.job WHERE name = '${QUEUE}' AND state = 'completed'`))[0].n >= count
  try {
    await boss.createQueue(QUEUE, { policy: 'standard', notify: true })
    await boss.work<{ t: number }>(QUEUE, { batchSize: BATCH, burstWhenBatchFull: true, pollingIntervalSeconds: 2 }, async jobs => {
      for (const job of jobs) if (typeof job.data.t === 'number') handled++
    })
    const send = (from: number, count: number) => boss.insert(QUEUE, Array.from({ length: count }, (_, i) => ({ data: { t: from + i } })))
    const output = await measure(input, send, completed, 'job')
    if (handled < input.warmup + input.n) throw new Error(`only ${handled} jobs handled`)
    return output
  } finally {
    await boss.stop({ graceful: false, close: true })
    await pglite?.close()
  }
}

/** graphile-worker as its docs tune it for throughput: a local queue, batched completion */
async function graphilePhase (input: Input): Promise<Output> {
  const connectionString = input.databaseUrl!
  const schema = input.bossSchema
  const utils = await makeWorkerUtils({ connectionString, schema })
  await utils.migrate()
  let handled = 0
  const runner = await runGraphile({
    connectionString,
    schema,
    concurrency: 24,
    maxPoolSize: 25,
    noHandleSignals: true,
    pollInterval: 2000,
    logger: new Logger(() => () => {}),
    taskList: { noop: async (payload: unknown) => { if (typeof (payload as { t?: unknown }).t === 'number') handled++ } },
    preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } }
  })
  // as for the others: count in-process, then confirm in the database (completed jobs are deleted)
  const completed = async (count: number) => handled >= count &&
    (await utils.withPgClient(client => client.query(`SELECT count(*)::int AS n FROM ${schema}._private_jobs`))).rows[0].n === 0
  try {
    const send = (from: number, count: number) => utils.addJobs(Array.from({ length: count }, (_, i) => ({ identifier: 'noop', payload: { t: from + i } })))
    return await measure(input, send, completed, 'job')
  } finally {
    await runner.stop()
    await utils.release()
  }
}

await phaseMain('runtime', runtimePhase)
await phaseMain('boss', bossPhase)
await phaseMain('graphile', graphilePhase)

const PHASE_NAMES: Record<Phase, string> = { runtime: 'runtime', boss: 'raw pg-boss', graphile: 'graphile-worker' }

/** one side in a fresh process and fresh schemas (on the embedded database: in the scenario's one data folder) */
type Phase = 'runtime' | 'boss' | 'graphile'

async function round (phase: Phase, base: Omit<Input, 'schema' | 'bossSchema' | 'databaseUrl'>,
  profile?: { dir: string; name: string }): Promise<Output> {
  const schemas = freshSchemas()
  try {
    return await runPhase<Input, Output>(import.meta.url, phase, { ...base, ...schemas, databaseUrl: DATABASE_URL },
      profile && { ...profile, schema: schemas.schema })
  } finally {
    await dropSchemas(schemas.schema, schemas.bossSchema)
  }
}

export async function throughput (options: BenchOptions): Promise<ScenarioResult> {
  const started = performance.now()
  const n = options.quick ? 1000 : 10_000
  const dir = tempDir('throughput-project')
  try {
    // the embedded database is created once (its first start runs initdb) and reopened by every round
    const base = {
      n, warmup: options.quick ? 100 : 500, chunk: 1000, manifest: writeProject(dir, singleTaskManifest()), dataDir: DATABASE_URL ? null : join(dir, 'data')
    }
    // alternate the order so no side always runs on a warmer database; graphile-worker has no PGlite adapter
    const graphile = DATABASE_URL !== null
    const order: Phase[] = options.quick
      ? ['boss', 'runtime', ...(graphile ? ['graphile' as const] : [])]
      : graphile
        ? ['boss', 'graphile', 'runtime', 'runtime', 'graphile', 'boss', 'graphile', 'boss', 'runtime']
        : ['boss', 'runtime', 'runtime', 'boss', 'boss', 'runtime']
    const runs: Record<Phase, Output[]> = { runtime: [], boss: [], graphile: [] }
    for (const phase of order) runs[phase].push(await round(phase, base))
    const rate = (phase: Phase) => median(runs[phase].map(r => r.perSecond))
    const runtime = rate('runtime')
    const boss = rate('boss')
    const worker = graphile ? rate('graphile') : null
    const peakRss = Math.max(...runs.runtime.map(r => r.peakRss))
    const details = [
      `rounds (runs/s): runtime ${runs.runtime.map(r => int(r.perSecond)).join(', ')}; raw pg-boss ${runs.boss.map(r => int(r.perSecond)).join(', ')}` +
        (worker ? `; graphile-worker ${runs.graphile.map(r => int(r.perSecond)).join(', ')}` : '; graphile-worker: PostgreSQL only, not run'),
      `peak RSS of the process: runtime ${mb(peakRss)}, raw pg-boss ${mb(Math.max(...runs.boss.map(r => r.peakRss)))}` +
        (DATABASE_URL ? ' (PostgreSQL server memory not included)' : ' (embedded database included)')
    ]
    // where the time goes: CPU per 1,000 runs in the measured window, median of the rounds
    const perThousand = (phase: Phase, part: keyof CpuTime) => {
      const values = runs[phase].map(r => r.cpu[part])
      return values.includes(null) ? null : median(values.map(v => v! / runs[phase][0]!.n * 1000))
    }
    const cpuOf = (phase: Phase) => {
      const own = perThousand(phase, 'processMs')!
      const main = perThousand(phase, 'mainMs')!
      const server = DATABASE_URL ? perThousand(phase, 'postgresMs') : null
      return `${int(own)} ms in the process (${int(main)} on its main thread)` + (server === null ? '' : ` + ${int(server)} ms in PostgreSQL = ${int(own + server)} ms`)
    }
    details.push(`CPU per 1,000 runs (median of the rounds): runtime ${cpuOf('runtime')}; raw pg-boss ${cpuOf('boss')}` +
      (worker ? `; graphile-worker ${cpuOf('graphile')}` : '') + (DATABASE_URL ? '' : ' (the embedded database runs in the process)'))
    // and in the server, statement by statement (where pg_stat_statements tracks them): the median round's
    for (const phase of ['runtime', 'boss', 'graphile'] as const) {
      const rounds = [...runs[phase]].sort((a, b) => a.perSecond - b.perSecond)
      const middle = rounds[Math.floor((rounds.length - 1) / 2)]
      if (!middle?.statements) continue
      details.push(`${PHASE_NAMES[phase]}: server time per 1,000 runs by statement (pg_stat_statements, median round; nested: run inside a function):`)
      for (const s of middle.statements.slice(0, 10)) {
        details.push(`  ${(s.totalMs / middle.n * 1000).toFixed(1).padStart(6)} ms  ${int(s.calls / middle.n * 1000).padStart(5)} calls  ${s.nested ? 'nested ' : ''}${s.statement.slice(0, 110)}`)
      }
    }
    const metrics: Record<string, unknown> = {
      n, runtimeRunsPerSecond: runtime, bossJobsPerSecond: boss, ratio: runtime / boss, peakRssBytes: peakRss, rounds: runs,
      ...(worker ? { graphileJobsPerSecond: worker, graphileRatio: runtime / worker } : {})
    }
    if (options.profileDir) {
      await round('runtime', base, { dir: options.profileDir, name: 'throughput-runtime' })
      const { summary, statements } = readProfile(options.profileDir, 'throughput-runtime')
      metrics.profile = { summary, statements }
      details.push(...profileLines('profile of the runtime process (one extra round)', summary, statements))
      await round('boss', base, { dir: options.profileDir, name: 'throughput-boss' })
      const bossProfile = readProfile(options.profileDir, 'throughput-boss')
      const bossStatements = bossProfile.statements
      metrics.bossProfile = bossProfile
      if (bossStatements.length) {
        details.push('raw pg-boss statements (one extra round, total ms / calls / mean ms):')
        for (const s of bossStatements.slice(0, 5)) details.push(`  ${int(s.totalMs).padStart(7)}  ${String(s.calls).padStart(6)}  ${s.meanMs.toFixed(2).padStart(6)}  ${s.statement}`)
      }
    }
    const line = `throughput  runtime ${int(runtime)} runs/s  raw pg-boss ${int(boss)} jobs/s  ratio ${ratio(runtime / boss)}  ` +
      (worker ? `graphile-worker ${int(worker)} jobs/s  ratio ${ratio(runtime / worker)}  ` : '') +
      `(targets >= 1.0x pg-boss${worker ? ', >= 0.5x graphile-worker' : ''})  peak RSS ${mb(peakRss)}  [${int(n)} on ${DATABASE}]`
    return {
      scenario: 'throughput',
      line,
      details,
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - started) / 1000,
      metrics,
      targets: [
        target('runtime / raw pg-boss throughput', runtime / boss, '>= 1.0', runtime / boss >= 1),
        ...(worker ? [target('runtime / graphile-worker throughput', runtime / worker, '>= 0.5', runtime / worker >= 0.5)] : [])
      ]
    }
  } finally {
    removeDir(dir)
  }
}

await main(import.meta, throughput)
