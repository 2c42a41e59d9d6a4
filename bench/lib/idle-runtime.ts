// For the scripts that drive the store by hand (bench/run-path-explain.ts, bench/result-write.ts):
// a runtime on a one-task manifest whose lanes claim nothing, holding `count` ingested transients,
// its tables vacuumed and analysed; `done()` stops it and drops its schemas.
import { join } from 'node:path'
import { createLogger } from '../../runtime/logger.ts'
import { Runtime } from '../../runtime/runtime.ts'
import { DATABASE_URL, dropSchemas, freshSchemas, removeDir, tempDir } from './env.ts'
import { singleTaskManifest, writeProject } from './workflow.ts'

export async function idleRuntime (count: number, prefix: string): Promise<{ runtime: Runtime; schema: string; done: () => Promise<void> }> {
  const dir = tempDir(prefix)
  const { schema, bossSchema } = freshSchemas()
  writeProject(dir, singleTaskManifest())
  const runtime = await Runtime.start({ manifest: join(dir, 'blast.tasks.yaml'), databaseUrl: DATABASE_URL, dataDir: DATABASE_URL ? null : join(dir, 'data'), schema, bossSchema, logger: createLogger('warn'), claimTasks: [] })
  const done = async () => {
    await runtime.stop()
    await dropSchemas(schema, bossSchema)
    removeDir(dir)
  }
  try {
    for (let i = 0; i < count; i += 1000) {
      await runtime.upsertMany(Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({
        name: `${prefix}${i + k}`, ra_deg: 1, dec_deg: 2, public_timestamp: new Date(Date.UTC(2024, 0, 1) + (i + k) * 1000).toISOString()
      })))
    }
    await runtime.db.query(`VACUUM ANALYZE ${schema}.transient`)
    await runtime.db.query(`VACUUM ANALYZE ${schema}.task_status`)
  } catch (err) {
    await done()
    throw err
  }
  return { runtime, schema, done }
}
