// Scenario 7, CPU-bound runs: 200 transients × a plugin that computes for 100 ms without yielding,
// on `blast-tasks start` (its API, its run pool). Reported as runs/s against the ideal for the
// machine's cores (cores / 0.1 s), with the latency of GET /health, asked every 20 ms while the load
// runs: the runtime's own event loop must stay free whatever the plugins do.
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { TOKEN, startRuntime } from './lib/child.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { dec, median, ms, percentile, ratio } from './lib/stats.ts'
import { writeProject } from './lib/workflow.ts'

const COMPUTE_PLUGIN = `// Computes for 100 ms without yielding: CPU-bound work.
export function process () {
  const until = performance.now() + 100
  let x = 0
  while (performance.now() < until) x++
  return { status: 'processed', output: { spins: x > 0 } }
}
`

export async function cpu (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const count = options.quick ? 20 : 200
  const cores = availableParallelism()
  const ideal = cores / 0.1
  const dir = tempDir('cpu')
  const schemas = freshSchemas()
  const metrics: Record<string, unknown> = { count, cores, computeMs: 100, idealRunsPerSecond: ideal }
  try {
    const manifest = writeProject(join(dir, 'project'), 'version: 1\ntasks:\n  - { name: Compute, plugin: plugins/compute.js }\n')
    writeFileSync(join(dir, 'project', 'plugins', 'compute.js'), COMPUTE_PLUGIN)
    const server = await startRuntime({
      ...(DATABASE_URL ? { DATABASE_URL } : {}),
      BLAST_DATA_DIR: join(dir, 'data'),
      BLAST_MANIFEST: manifest,
      BLAST_SCHEMA: schemas.schema,
      BLAST_BOSS_SCHEMA: schemas.bossSchema
    })
    const health: number[] = []
    let done = false
    let elapsedMs = 0
    try {
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
      const probe = (async () => {
        while (!done) {
          const start = performance.now()
          const response = await fetch(`${server.url}/health`)
          await response.arrayBuffer()
          health.push(performance.now() - start)
          await new Promise(resolve => setTimeout(resolve, 20))
        }
      })()
      const body = Array.from({ length: count }, (_, i) => ({ name: `cpu${String(i).padStart(4, '0')}`, ra_deg: i % 360, dec_deg: 0 }))
      const start = performance.now()
      const response = await fetch(`${server.url}/api/v1/transients`, { method: 'POST', headers, body: JSON.stringify(body) })
      if (response.status !== 201) throw new Error(`POST: ${response.status} ${await response.text()}`)
      for (;;) {
        const tasks = await (await fetch(`${server.url}/api/v1/tasks`, { headers })).json() as { items: Array<{ counts: Record<string, number> }> }
        const processed = tasks.items[0]?.counts?.processed ?? 0
        if (processed >= count) break
        if (performance.now() - start > 600_000) throw new Error(`only ${processed} of ${count} processed after 600 s`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
      elapsedMs = performance.now() - start
      done = true
      await probe
    } finally {
      done = true
      await server.stop()
    }
    const runsPerSecond = count / (elapsedMs / 1000)
    const p50 = median(health)
    const p99 = percentile(health, 99)
    Object.assign(metrics, { elapsedMs, runsPerSecond, ofIdeal: runsPerSecond / ideal, healthP50Ms: p50, healthP99Ms: p99, healthSamples: health.length })
    const line = `cpu         ${dec(runsPerSecond)} runs/s of 100 ms CPU each, ideal ${dec(ideal)} on ${cores} cores: ${ratio(runsPerSecond / ideal)}  ` +
      `/health during the load p50 ${ms(p50)} p99 ${ms(p99)} (${health.length} probes)  (target >= 0.85x, p99 <= 50 ms)  [${count} runs on ${DATABASE}]`
    return {
      scenario: 'cpu',
      line,
      details: [],
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics,
      targets: [
        target('runs/s of ideal', runsPerSecond / ideal, '>= 0.85', runsPerSecond / ideal >= 0.85),
        target('/health p99 ms', p99, '<= 50', p99 <= 50)
      ]
    }
  } finally {
    await dropSchemas(schemas.schema, schemas.bossSchema)
    removeDir(dir)
  }
}

await main(import.meta, cpu)
