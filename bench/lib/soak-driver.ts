// The soak's load, run inside the process it measures: a runtime on Blast's 17-task workflow with a
// plugin that returns at once, fed in rounds. The first round creates a pool of transients; every
// later round reprocesses all of them (each of their 17 registers back to `not processed`, as an
// operator's reprocess does) and waits until every transient is `completed` again. The registers stay
// as many as the pool, so what grows without a retention policy is the history and pg-boss's jobs —
// and what grows in the heap is what a finished run leaves behind. Used by bench/soak.ts and by
// test/reliability/memory.test.ts.
import { appendFileSync } from 'node:fs'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { BLAST_WORKFLOW } from './workflow.ts'

export interface SoakInput {
  manifest: string
  databaseUrl: string | null
  /** embedded only; null → in memory */
  dataDir: string | null
  schema: string
  bossSchema: string
  /** transients in the pool; one round runs pool × 17 */
  pool: number
  /** stop after this many runs (rounded up to whole rounds) or at deadline, whichever first */
  runs: number
  /** epoch ms; 0 → none */
  deadline: number
  /** a sample every this many rounds (and after the first and the last) */
  sampleEvery: number
  /** JSON lines of samples appended here as they are taken (null: only returned) */
  samplesFile: string | null
  retention?: { historyDays: number; historyPerTask: number; bossArchiveDays: number; intervalSeconds: number }
  /** reprocess calls in flight at once */
  concurrency?: number
  /** VACUUM both schemas' tables after every round: what autovacuum does, on a server where it is off */
  vacuum?: boolean
}

export interface Sample {
  round: number
  runs: number
  seconds: number
  /** after a full garbage collection when --expose-gc is on */
  heapUsedBytes: number
  rssBytes: number
  historyRows: number
  /** our schema and pg-boss's, tables with their indexes and TOAST */
  schemaBytes: number
  bossSchemaBytes: number
  bossJobRows: number
}

export interface SoakOutput { samples: Sample[]; runs: number; rounds: number; stoppedBy: 'runs' | 'deadline' }

const gc = (globalThis as { gc?: () => void }).gc

export async function soak (input: SoakInput): Promise<SoakOutput> {
  const runtime = await Runtime.start({
    manifest: input.manifest,
    databaseUrl: input.databaseUrl,
    dataDir: input.dataDir,
    schema: input.schema,
    bossSchema: input.bossSchema,
    logger: createLogger(process.env.SOAK_LOG_LEVEL || 'warn'),
    ...(input.retention ? { retention: input.retention } : {})
  })
  const began = performance.now()
  const perRound = input.pool * BLAST_WORKFLOW.length
  const names = Array.from({ length: input.pool }, (_, i) => `SOAK${String(i).padStart(6, '0')}`)
  const samples: Sample[] = []
  const q = async <R>(text: string, params: unknown[] = []) => runtime.db.query<R>(text, params)
  const completed = async () => (await q<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${runtime.store.schema}.transient WHERE processing_status = 'completed'`))[0]!.n
  const sample = async (round: number): Promise<void> => {
    gc?.()
    const memory = process.memoryUsage()
    const [sizes] = await q<{ ours: string; boss: string; history: number; jobs: number }>(
      `SELECT (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $1 AND c.relkind IN ('r', 'm'))::text AS ours,
              (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = $2 AND c.relkind IN ('r', 'm'))::text AS boss,
              (SELECT count(*)::int FROM ${runtime.store.schema}.run) AS history,
              (SELECT count(*)::int FROM ${input.bossSchema}.job) AS jobs`, [runtime.store.schema, input.bossSchema])
    const s: Sample = {
      round,
      runs: round * perRound,
      seconds: (performance.now() - began) / 1000,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      historyRows: sizes!.history,
      schemaBytes: Number(sizes!.ours),
      bossSchemaBytes: Number(sizes!.boss),
      bossJobRows: sizes!.jobs
    }
    samples.push(s)
    if (input.samplesFile) appendFileSync(input.samplesFile, JSON.stringify(s) + '\n')
  }
  const waitCompleted = async (): Promise<void> => {
    while (await completed() < input.pool) await new Promise(resolve => setTimeout(resolve, 100))
    if (!input.vacuum) return
    const tables = await q<{ name: string }>(`SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[]) AND c.relkind = 'r'`, [[runtime.store.schema, input.bossSchema]])
    for (const { name } of tables) await q(`VACUUM ${name}`)
  }
  let round = 0
  let stoppedBy: SoakOutput['stoppedBy'] = 'runs'
  try {
    await sample(0)
    for (let i = 0; i < input.pool; i += 1000) {
      await runtime.createTransients(names.slice(i, i + 1000).map((name, j) => ({
        name, ra_deg: ((i + j) * 0.37) % 360, dec_deg: ((i + j) % 170) - 85, public_timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i + j)).toISOString()
      })))
    }
    await waitCompleted()
    round = 1
    await sample(round)
    while (round * perRound < input.runs) {
      if (input.deadline && Date.now() > input.deadline) {
        stoppedBy = 'deadline'
        break
      }
      const queue = [...names]
      await Promise.all(Array.from({ length: input.concurrency ?? 4 }, async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) await runtime.reprocess(name, 'soak')
      }))
      await waitCompleted()
      round++
      if (round % input.sampleEvery === 0) await sample(round)
    }
    if (samples[samples.length - 1]!.round !== round) await sample(round)
  } finally {
    await runtime.stop()
  }
  return { samples, runs: round * perRound, rounds: round, stoppedBy }
}
