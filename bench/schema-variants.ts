// The 17-task latency in one process, with variants of the schema alternated: each variant is DDL run
// on a fresh schema after the migrations (`{{schema}}` stands for it; `;` separates statements), and
// each round runs every variant once, in turn, on the same database (the embedded one: one data
// folder). A transient is upserted and timed until its 17 runs are counted in-process (the run counter
// is read at every turn of the loop, the same for each variant), so the figures hold no HTTP, no child
// process and no API polling; the first 10 of each round are left out (warm-up).
// Not one of `npm run bench`'s scenarios: it answers "does this index, statistic or storage setting
// cost the run path?", e.g.
//   [DATABASE_URL=postgres://…] npx node bench/schema-variants.ts --rounds 8 \
//     'without 010=DROP STATISTICS {{schema}}.task_status_task_status; DROP INDEX {{schema}}.task_status_by_status'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../runtime/logger.ts'
import { Runtime } from '../runtime/runtime.ts'
import { DATABASE, DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './lib/env.ts'
import { median, percentile } from './lib/stats.ts'
import { blastManifest, runsRecorded, writeProject } from './lib/workflow.ts'

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '4' }, n: { type: 'string', default: '50' } },
  allowPositionals: true
})
const rounds = Number(values.rounds)
const perRound = Number(values.n)
const WARMUP = 10
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds is a whole number from 1, not ${values.rounds}`)
if (!Number.isInteger(perRound) || perRound <= WARMUP) throw new Error(`--n is a whole number above ${WARMUP} (the first ${WARMUP} of a round are left out), not ${values.n}`)
const variants = new Map<string, string[]>([['as migrated', []]])
for (const arg of positionals) {
  const at = arg.indexOf('=')
  if (at < 1) throw new Error(`a variant is name=SQL, not ${JSON.stringify(arg)}`)
  if (variants.has(arg.slice(0, at))) throw new Error(`two variants are named ${JSON.stringify(arg.slice(0, at))}`)
  variants.set(arg.slice(0, at), arg.slice(at + 1).split(';').map(s => s.trim()).filter(Boolean))
}

const dir = tempDir('schema-variants')
const manifest = writeProject(dir, blastManifest())
const samples = new Map<string, { flow: number[]; upsert: number[] }>()
try {
  for (let round = 0; round < rounds; round++) {
    for (const [name, statements] of variants) {
      const { schema, bossSchema } = freshSchemas()
      const runtime = await Runtime.start({
        manifest, databaseUrl: DATABASE_URL, dataDir: DATABASE_URL ? null : join(dir, 'data'), schema, bossSchema, logger: createLogger('warn')
      })
      try {
        for (const statement of statements) await runtime.db.query(statement.replaceAll('{{schema}}', schema))
        const counted = runsRecorded(runtime)
        const mine = samples.get(name) ?? { flow: [], upsert: [] }
        samples.set(name, mine)
        for (let i = 0; i < perRound; i++) {
          const before = await counted()
          const started = performance.now()
          await runtime.upsertMany([{ name: `v${round}x${i}`, ra_deg: 150.1, dec_deg: 2.2, redshift: 0.01 }])
          const upserted = performance.now()
          const deadline = upserted + 30_000
          while (await counted() < before + 17) {
            if (performance.now() > deadline) throw new Error(`variant ${JSON.stringify(name)}: the 17 runs of a transient did not all end within 30 s`)
            await new Promise(resolve => setImmediate(resolve))
          }
          if (i < WARMUP) continue
          mine.flow.push(performance.now() - started)
          mine.upsert.push(upserted - started)
        }
      } finally {
        await runtime.stop()
        if (DATABASE_URL) await dropSchemas(schema, bossSchema)
      }
    }
  }
  console.log(`17-task latency in one process (${DATABASE}), ${rounds} rounds x ${perRound - WARMUP} transients per variant, alternated`)
  for (const [name, { flow, upsert }] of samples) {
    console.log(`${name.padEnd(24)} p50 ${median(flow).toFixed(1)} ms  p90 ${percentile(flow, 90).toFixed(1)} ms  upsert p50 ${median(upsert).toFixed(2)} ms`)
  }
  for (const [name, statements] of variants) if (statements.length) console.log(`  ${name}: ${statements.join('; ')}`)
} finally {
  removeDir(dir)
}
