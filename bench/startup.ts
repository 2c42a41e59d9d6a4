// Scenario 4, start-up: process start to the first 200 from GET /ready, for `blast-tasks start`
// with Blast's 17-task manifest, on PostgreSQL (when DATABASE_URL is set) and on the embedded
// database, each fresh (migrations, queues) and reopened. Baseline in the same run: a bare
// process that starts pg-boss, creates and works the same 17 queues, and serves /ready with fastify.
import { join } from 'node:path'
import { slugify } from '../runtime/manifest/index.ts'
import { ROOT, startProcess, startRuntime } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { profileLines, readProfile } from './lib/profile.ts'
import { main, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { int, median, ratio } from './lib/stats.ts'
import { BLAST_WORKFLOW, blastManifest, writeProject } from './lib/workflow.ts'

const BARE = join(ROOT, 'bench', 'lib', 'bare-server.ts')
const QUEUES = BLAST_WORKFLOW.map(([name]) => `task.${slugify(name)}`).join(',')

interface Case { database: 'postgres' | 'embedded'; runtime: { fresh: number[]; reopened: number[] }; bare: { fresh: number[]; reopened: number[] } }

/** starts, waits for /ready, stops; returns the milliseconds to ready */
async function once (start: () => ReturnType<typeof startProcess>): Promise<number> {
  const server = await start()
  await server.stop()
  return server.readyMs
}

/** shareFolder: both processes use one data folder, so only the first runs initdb (--quick) */
async function measure (database: 'postgres' | 'embedded', manifest: string, freshCount: number, reopenCount: number, shareFolder = false): Promise<Case> {
  const result: Case = { database, runtime: { fresh: [], reopened: [] }, bare: { fresh: [], reopened: [] } }
  const url = database === 'postgres' ? { DATABASE_URL: DATABASE_URL! } : { DATABASE_URL: '' }
  for (let i = 0; i < freshCount; i++) {
    const schemas = freshSchemas()
    const dir = tempDir('startup')
    const runtimeEnv = { ...url, BLAST_DATA_DIR: join(dir, 'runtime'), BLAST_MANIFEST: manifest, BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema }
    const bareEnv = { ...url, BENCH_BARE_QUEUES: QUEUES, BENCH_BARE_DATA_DIR: join(dir, shareFolder ? 'runtime' : 'bare'), BENCH_BARE_SCHEMA: `${schemas.schema}_bare` }
    try {
      // alternate which goes first
      const runtime = () => once(() => startRuntime(runtimeEnv))
      const bare = () => once(() => startProcess([BARE], bareEnv))
      if (i % 2 === 0) {
        result.runtime.fresh.push(await runtime())
        result.bare.fresh.push(await bare())
      } else {
        result.bare.fresh.push(await bare())
        result.runtime.fresh.push(await runtime())
      }
      // the first reopened start of each is the one to keep when only one is wanted
      for (let j = 0; j < reopenCount; j++) {
        result.runtime.reopened.push(await runtime())
        result.bare.reopened.push(await bare())
      }
    } finally {
      await dropSchemas(schemas.schema, schemas.bossSchema, `${schemas.schema}_bare`)
      removeDir(dir)
    }
  }
  return result
}

export async function startup (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const dir = tempDir('startup-project')
  try {
    const manifest = writeProject(dir, blastManifest())
    const cases: Case[] = []
    if (options.quick) {
      // only checks that both kinds of process start, on the database of this run
      cases.push(await measure(DATABASE_URL ? 'postgres' : 'embedded', manifest, 1, 0, true))
    } else {
      if (DATABASE_URL) cases.push(await measure('postgres', manifest, 2, 2))
      cases.push(await measure('embedded', manifest, 2, 1))
    }
    const summary = cases.map(c => ({
      database: c.database,
      runtimeFreshMs: median(c.runtime.fresh),
      runtimeReopenedMs: c.runtime.reopened.length ? median(c.runtime.reopened) : null,
      bareFreshMs: median(c.bare.fresh),
      bareReopenedMs: c.bare.reopened.length ? median(c.bare.reopened) : null
    }))
    const metrics: Record<string, unknown> = { cases, summary }
    const details = cases.map(c => `${c.database}: runtime fresh ${c.runtime.fresh.map(int).join(', ')} ms, reopened ${c.runtime.reopened.map(int).join(', ') || '-'} ms; ` +
      `pg-boss + fastify fresh ${c.bare.fresh.map(int).join(', ')} ms, reopened ${c.bare.reopened.map(int).join(', ') || '-'} ms`)
    const parts = summary.map(s => `${s.database === 'postgres' ? 'pg' : 'embedded'} fresh ${int(s.runtimeFreshMs)} ms (${ratio(s.runtimeFreshMs / s.bareFreshMs)})` +
      (s.runtimeReopenedMs !== null && s.bareReopenedMs !== null ? ` reopened ${int(s.runtimeReopenedMs)} ms (${ratio(s.runtimeReopenedMs / s.bareReopenedMs)})` : ''))
    if (options.quick && !DATABASE_URL) details.push('--quick: the baseline reopens the folder the runtime created (one initdb), so it is not a fresh start')
    if (options.profileDir) {
      // one more start, profiled from process start to /ready and stop: where the start-up goes
      const schemas = freshSchemas()
      const data = tempDir('startup-profile')
      const env = { DATABASE_URL: DATABASE_URL ?? '', BLAST_DATA_DIR: data, BLAST_MANIFEST: manifest, BLAST_SCHEMA: schemas.schema, BLAST_BOSS_SCHEMA: schemas.bossSchema }
      try {
        await once(() => startRuntime(env)) // fresh: migrations and queues are not what this profile is about
        const readyMs = await once(() => startRuntime(env, { dir: options.profileDir!, name: 'startup-runtime', schema: schemas.schema }))
        const { summary: profile, statements } = readProfile(options.profileDir, 'startup-runtime')
        metrics.profile = { readyMs, summary: profile, statements }
        details.push(...profileLines(`profile of one reopened start (${int(readyMs)} ms to /ready, then stopped)`, profile, statements))
      } finally {
        await dropSchemas(schemas.schema, schemas.bossSchema)
        removeDir(data)
      }
    }
    const line = `startup     ${parts.join('  ')}  vs pg-boss + fastify  [process start to /ready; ${DATABASE}]`
    return {
      scenario: 'startup',
      line,
      details,
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics,
      targets: []
    }
  } finally {
    removeDir(dir)
  }
}

await main(import.meta, startup)
