// Scenario 2, pipeline latency: Blast's 17-task workflow on trivial plugins, one transient at a time
// on an idle runtime (`blast-tasks start` as a child process, driven through its HTTP API). For each
// transient: POST /api/v1/transients, then the time at which the last of its 17 registers was
// written (the database's clock; `observed` adds the 10 ms polling of GET /transients/:name).
// Baseline in the same run: the same graph as a pg-boss flow() (jobs with dependsOn).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PgBoss, fromPglite } from 'pg-boss'
import { slugify } from '../runtime/manifest/index.ts'
import { TOKEN, phaseMain, runPhase, startRuntime } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { profileLines, readProfile } from './lib/profile.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { dec, int, mb, median, ms, percentile, ratio } from './lib/stats.ts'
import { BLAST_WORKFLOW, blastManifest, depthOf, writeProject } from './lib/workflow.ts'

const DEPTH = depthOf(BLAST_WORKFLOW)
const LEVEL = new Map<string, number>()
for (const [name, parents] of BLAST_WORKFLOW) LEVEL.set(name, 1 + Math.max(0, ...parents.map(p => LEVEL.get(p)!)))

interface Sample {
  /** POST sent → last register written (database clock) */
  recordedMs: number
  /** POST sent → a GET saw `completed` */
  observedMs: number
  /** the POST itself */
  postMs: number
  /** when each level of the graph had finished, from the POST */
  levelMs: number[]
}

interface TaskRegister { task: string; updated_at: string }

async function measureOne (url: string, name: string): Promise<Sample> {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  const sentAt = Date.now()
  const start = performance.now()
  const response = await fetch(`${url}/api/v1/transients`, { method: 'POST', headers, body: JSON.stringify({ name, ra_deg: 150.1, dec_deg: 2.2, redshift: 0.01 }) })
  if (response.status !== 201) throw new Error(`POST ${name}: ${response.status} ${await response.text()}`)
  await response.arrayBuffer()
  const postMs = performance.now() - start
  for (;;) {
    const detail = await (await fetch(`${url}/api/v1/transients/${name}`)).json() as { processing_status: string; tasks: TaskRegister[] }
    if (detail.processing_status === 'completed') {
      const observedMs = performance.now() - start
      const at = (r: TaskRegister) => Date.parse(r.updated_at) - sentAt
      const levelMs = Array.from({ length: DEPTH }, (_, i) => Math.max(...detail.tasks.filter(r => LEVEL.get(r.task) === i + 1).map(at)))
      return { recordedMs: Math.max(...detail.tasks.map(at)), observedMs, postMs, levelMs }
    }
    if (performance.now() - start > 60_000) throw new Error(`${name} did not complete in 60 s: ${JSON.stringify(detail)}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

interface FlowInput { count: number; databaseUrl: string | null; dataDir: string | null; bossSchema: string; tasks: number }

/**
 * The graph as pg-boss flows, tuned as a careful user would: the flow resolver at its minimum
 * interval (1 s; default 5 s) and workers polling at their minimum (0.5 s). Children are released
 * by the resolver, not by the parent's completion, and no NOTIFY wakes the worker.
 */
async function flowPhase (input: FlowInput): Promise<number[]> {
  if (!input.databaseUrl) mkdirSync(input.dataDir!, { recursive: true })
  const pglite = input.databaseUrl ? null : await PGlite.create(join(input.dataDir!, 'pgdata'))
  const boss = new PgBoss({
    ...(pglite ? { db: fromPglite(pglite), backend: 'pglite' } : { connectionString: input.databaseUrl! }),
    schema: input.bossSchema,
    flowIntervalSeconds: 1
  } as ConstructorParameters<typeof PgBoss>[0] & object)
  boss.on('error', err => console.error('pg-boss error', err))
  await boss.start()
  const query = async (text: string, params: unknown[]) => pglite
    ? (await pglite.query<{ n: number; last: number }>(text, params)).rows
    : (await boss.getDb().executeSql(text, params)).rows as Array<{ n: number; last: number }>
  const queue = (task: string) => `flow.${slugify(task)}`
  const graph = BLAST_WORKFLOW.slice(0, input.tasks)
  try {
    for (const [task] of graph) {
      await boss.createQueue(queue(task))
      await boss.work(queue(task), { pollingIntervalSeconds: 0.5 }, async () => 'processed')
    }
    const times: number[] = []
    for (let i = 0; i < input.count; i++) {
      const sentAt = Date.now()
      const ids = Object.values(await boss.flow(graph.map(([task, parents]) => ({
        ref: task, name: queue(task), data: { transient: `flow${i}` }, dependsOn: [...parents]
      }))))
      for (;;) {
        const [row] = await query(`SELECT count(*)::int AS n, (extract(epoch FROM max(completed_on)) * 1000)::float8 AS last
          FROM ${input.bossSchema}.job WHERE id = ANY($1::uuid[]) AND state = 'completed'`, [ids])
        if (row.n === ids.length) {
          times.push(row.last - sentAt)
          break
        }
        if (Date.now() - sentAt > 120_000) throw new Error('a flow did not complete in 120 s')
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    }
    return times
  } finally {
    await boss.stop({ graceful: false, close: true })
    await pglite?.close()
  }
}

await phaseMain('flow', flowPhase)

export async function latency (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const count = options.quick ? 3 : 100
  const warmup = options.quick ? 1 : 5
  const dir = tempDir('latency')
  const schemas = freshSchemas()
  const flowSchemas = freshSchemas()
  const details: string[] = []
  const metrics: Record<string, unknown> = { count, depth: DEPTH }
  try {
    const manifest = writeProject(join(dir, 'project'), blastManifest())
    const profile = options.profileDir
      ? { dir: options.profileDir, name: 'latency-runtime', schema: schemas.schema }
      : undefined
    const server = await startRuntime({
      ...(DATABASE_URL ? { DATABASE_URL } : {}),
      BLAST_DATA_DIR: join(dir, 'data'),
      BLAST_MANIFEST: manifest,
      BLAST_SCHEMA: schemas.schema,
      BLAST_BOSS_SCHEMA: schemas.bossSchema
    }, profile)
    const samples: Sample[] = []
    try {
      for (let i = 0; i < warmup; i++) await measureOne(server.url, `warm${i}`)
      if (profile) server.child.kill('SIGUSR2') // the measured part starts (bench/lib/instrument.ts)
      for (let i = 0; i < count; i++) samples.push(await measureOne(server.url, `lat${String(i).padStart(3, '0')}`))
    } finally {
      await server.stop()
    }
    const recorded = samples.map(s => s.recordedMs)
    const p50 = median(recorded)
    const p99 = percentile(recorded, 99)
    const levels = Array.from({ length: DEPTH }, (_, i) => median(samples.map(s => s.levelMs[i])))
    Object.assign(metrics, {
      p50Ms: p50,
      p99Ms: p99,
      maxMs: Math.max(...recorded),
      observedP50Ms: median(samples.map(s => s.observedMs)),
      observedP99Ms: percentile(samples.map(s => s.observedMs), 99),
      postP50Ms: median(samples.map(s => s.postMs)),
      levelP50Ms: levels,
      samples: recorded
    })
    details.push(
      `observed by polling GET every 10 ms: p50 ${ms(metrics.observedP50Ms as number)}, p99 ${ms(metrics.observedP99Ms as number)}; the POST itself p50 ${ms(metrics.postP50Ms as number)}`,
      `median time at which each of the ${DEPTH} levels had finished: ${levels.map(v => int(v)).join(' / ')} ms ` +
        `(${dec((levels[DEPTH - 1] - levels[0]) / (DEPTH - 1))} ms per level after the first)`
    )

    // the baseline: pg-boss flow() of the same graph
    const flowCount = options.quick ? 1 : 5
    // --quick only checks that it runs: the first three tasks (three levels) instead of all 17
    const flowTasks = options.quick ? 3 : BLAST_WORKFLOW.length
    // on the embedded database: the runtime's data folder, reopened (the runtime has stopped)
    const flow = await runPhase<FlowInput, number[]>(import.meta.url, 'flow',
      { count: flowCount, databaseUrl: DATABASE_URL, dataDir: DATABASE_URL ? null : join(dir, 'data'), bossSchema: flowSchemas.bossSchema, tasks: flowTasks })
    const flowP50 = median(flow)
    metrics.flowMs = flow
    metrics.flowP50Ms = flowP50
    metrics.speedupOverFlow = flowP50 / p50
    details.push(
      `pg-boss flow() of ${flowTasks === BLAST_WORKFLOW.length ? 'the same graph' : `the first ${flowTasks} tasks`} (flowIntervalSeconds 1, polling 0.5 s): ` +
        `${flow.map(v => int(v)).join(', ')} ms over ${flowCount}; ` +
        `Blast's polling design: >= ${DEPTH} levels x 60 s sweep = ${DEPTH} min`
    )
    if (options.profileDir) {
      const { summary, statements } = readProfile(options.profileDir, 'latency-runtime')
      metrics.profile = { summary, statements }
      details.push(...profileLines('profile of the runtime process (this run)', summary, statements))
    }
    const line = `latency     runtime p50 ${ms(p50)} p99 ${ms(p99)}  pg-boss flow() p50 ${int(flowP50)} ms  ratio ${ratio(p50 / flowP50)} (${int(flowP50 / p50)}x faster)  ` +
      `(target p50 <= 25 ms, p99 <= 60 ms)  [${count} x ${BLAST_WORKFLOW.length} tasks on ${DATABASE}]`
    return {
      scenario: 'latency',
      line,
      details,
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics,
      targets: [target('p50 ms', p50, '<= 25', p50 <= 25), target('p99 ms', p99, '<= 60', p99 <= 60)]
    }
  } finally {
    await dropSchemas(schemas.schema, schemas.bossSchema, flowSchemas.bossSchema)
    removeDir(dir)
  }
}

await main(import.meta, latency)
