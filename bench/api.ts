// Scenario 5, API: GET /api/v1/tasks (Blast's 17 tasks, with their schedules, enablement and
// status counts over 1,000 processed transients) under autocannon, against a bare fastify route
// returning the same JSON from memory, in the same run. Both servers are child processes; the load
// generator runs here.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { ROOT, TOKEN, startProcess, startRuntime } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { profileLines, readProfile } from './lib/profile.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { dec, int, ratio, until } from './lib/stats.ts'
import { blastManifest, writeProject } from './lib/workflow.ts'

const BARE = join(ROOT, 'bench', 'lib', 'bare-server.ts')
const PATH = '/api/v1/tasks'

interface Load { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }

async function load (url: string, seconds: number): Promise<Load> {
  const result = await autocannon({ url: url + PATH, connections: 10, pipelining: 1, duration: seconds })
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx
  }
}

export async function api (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const seconds = options.quick ? 1 : 10
  const transients = options.quick ? 100 : 1000
  const dir = tempDir('api')
  const schemas = freshSchemas()
  try {
    const manifest = writeProject(join(dir, 'project'), blastManifest())
    const profile = options.profileDir ? { dir: options.profileDir, name: 'api-runtime', schema: schemas.schema } : undefined
    const runtime = await startRuntime({
      ...(DATABASE_URL ? { DATABASE_URL } : {}),
      BLAST_DATA_DIR: join(dir, 'data'),
      BLAST_MANIFEST: manifest,
      BLAST_SCHEMA: schemas.schema,
      BLAST_BOSS_SCHEMA: schemas.bossSchema
    }, profile)
    let body: string
    let ours: Load
    let bare: Load
    try {
      const response = await fetch(`${runtime.url}/api/v1/transients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: transients }, (_, i) => ({ name: `api${i}`, ra_deg: i % 360, dec_deg: 0 })))
      })
      if (response.status !== 201) throw new Error(`POST: ${response.status} ${await response.text()}`)
      await until(async () => {
        const page = await (await fetch(`${runtime.url}/api/v1/transients?processing_status=processing&limit=1`)).json() as { items: unknown[] }
        return page.items.length === 0
      }, { what: 'every transient completed', intervalMs: 200 })
      body = await (await fetch(runtime.url + PATH)).text()
      if (!options.quick) await load(runtime.url, 1) // warm-up
      if (profile) runtime.child.kill('SIGUSR2') // the measured part starts (bench/lib/instrument.ts)
      ours = await load(runtime.url, seconds)
    } finally {
      await runtime.stop()
    }
    const bodyFile = join(dir, 'tasks.json')
    writeFileSync(bodyFile, body)
    const server = await startProcess([BARE], { BENCH_BARE_BODY: bodyFile }, { readyPath: PATH })
    try {
      if (!options.quick) await load(server.url, 1)
      bare = await load(server.url, seconds)
    } finally {
      await server.stop()
    }
    if (ours.errors || ours.non2xx || bare.errors || bare.non2xx) throw new Error(`errors under load: runtime ${JSON.stringify(ours)}, bare ${JSON.stringify(bare)}`)
    const r = ours.requestsPerSecond / bare.requestsPerSecond
    const details = [`latency p50/p99: runtime ${dec(ours.p50Ms)} / ${dec(ours.p99Ms)} ms, bare fastify ${dec(bare.p50Ms)} / ${dec(bare.p99Ms)} ms; ` +
      `${int(transients)} transients (the counts are one GROUP BY over their ${int(transients * 17)} registers per request)`]
    const metrics: Record<string, unknown> = { runtime: ours, bare, ratio: r, bodyBytes: Buffer.byteLength(body), transients, durationSeconds: seconds }
    if (options.profileDir) {
      const { summary, statements } = readProfile(options.profileDir, 'api-runtime')
      metrics.profile = { summary, statements }
      details.push(...profileLines('profile of the runtime process under load', summary, statements))
    }
    const line = `api         runtime ${int(ours.requestsPerSecond)} req/s  bare fastify ${int(bare.requestsPerSecond)} req/s  ratio ${ratio(r)}  ` +
      `[GET /api/v1/tasks, ${int(Buffer.byteLength(body))} bytes, 10 connections, ${seconds} s; ${DATABASE}]`
    return {
      scenario: 'api',
      line,
      details,
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics,
      targets: [target('runtime / bare fastify requests per second', r, 'context (no target)', true)]
    }
  } finally {
    await dropSchemas(schemas.schema, schemas.bossSchema)
    removeDir(dir)
  }
}

await main(import.meta, api)
