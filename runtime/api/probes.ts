// A `--no-api` worker's own port (BLAST_METRICS_PORT): /health, /ready and /metrics only, so every
// process of a cluster is probed and scraped, not only the one serving the API.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Control } from '../control.ts'
import { createGuard } from './auth.ts'
import healthRoutes, { quietRequest, quietRequestLogging } from './routes-health.ts'
import { allSchemas } from './schemas.ts'

export async function buildProbes (control: Control, options: { logger?: FastifyBaseLogger | boolean } = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? false
  const app = Fastify({ ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger }), logController: new LogController({ disableRequestLogging: quietRequest }) }) as unknown as FastifyInstance
  quietRequestLogging(app)
  for (const schema of allSchemas) app.addSchema(schema)
  // nothing here mutates: the guard's token is never asked for
  await app.register(healthRoutes, Object.freeze({ control, guard: createGuard('probes-take-no-token', false) }))
  await app.ready()
  return app
}
