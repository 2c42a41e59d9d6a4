// The baselines that are processes: what a user would run instead of the runtime.
//  - BENCH_BARE_BODY=<file>: a bare fastify route GET /api/v1/tasks answering that JSON
//  - BENCH_BARE_QUEUES=<names, comma separated>: pg-boss started on DATABASE_URL (or PGlite in
//    BENCH_BARE_DATA_DIR) in schema BENCH_BARE_SCHEMA, the queues created and worked, and
//    GET /ready answering after a `SELECT 1`
// Listens on HOST:PORT; SIGTERM stops it.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import Fastify from 'fastify'
import { PgBoss, fromPglite } from 'pg-boss'

const app = Fastify()
let boss: PgBoss | null = null
let pglite: PGlite | null = null

if (process.env.BENCH_BARE_BODY) {
  const body = JSON.parse(readFileSync(process.env.BENCH_BARE_BODY, 'utf8'))
  app.get('/api/v1/tasks', async () => body)
}
if (process.env.BENCH_BARE_QUEUES) {
  if (!process.env.DATABASE_URL) mkdirSync(process.env.BENCH_BARE_DATA_DIR!, { recursive: true })
  pglite = process.env.DATABASE_URL ? null : await PGlite.create(join(process.env.BENCH_BARE_DATA_DIR!, 'pgdata'))
  boss = new PgBoss({
    ...(pglite ? { db: fromPglite(pglite), backend: 'pglite' } : { connectionString: process.env.DATABASE_URL! }),
    schema: process.env.BENCH_BARE_SCHEMA,
    useListenNotify: true
  } as ConstructorParameters<typeof PgBoss>[0] & object)
  boss.on('error', err => console.error('pg-boss error', err))
  await boss.start()
  const existing = new Set((await boss.getQueues()).map(queue => queue.name))
  for (const name of process.env.BENCH_BARE_QUEUES.split(',')) {
    if (!existing.has(name)) await boss.createQueue(name, { policy: 'short', notify: true })
    await boss.work(name, { batchSize: 100, burstWhenBatchFull: true }, async () => {})
  }
  const db = boss.getDb()
  app.get('/ready', async () => {
    await db.executeSql('SELECT 1')
    return { status: 'ready' }
  })
}

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })

process.once('SIGTERM', async () => {
  await app.close()
  await boss?.stop({ graceful: false, close: true })
  await pglite?.close()
  process.exit(0)
})
