// Probes and metrics, outside the version prefix where orchestrators and Prometheus expect them.
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from './context.ts'
import { errorResponses } from './schemas.ts'

const TAGS = ['health']

const statusBody = (value: string, description: string) => ({
  description,
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: [value] } }
})

export default async function healthRoutes(app: FastifyInstance, { control, guard }: ApiContext): Promise<void> {
  app.get('/health', guard.open({
    tags: TAGS,
    operationId: 'health',
    summary: 'Liveness',
    description: 'Always 200 while the process serves HTTP.',
    response: { 200: statusBody('ok', 'Alive.') }
  }), async () => ({ status: 'ok' }))

  app.get('/ready', guard.open({
    tags: TAGS,
    operationId: 'ready',
    summary: 'Readiness',
    description: '200 when the database is reachable and a manifest is loaded, else 503.',
    response: { 200: statusBody('ready', 'Ready.'), 503: statusBody('not ready', 'Starting, stopping, or the database is unreachable.') }
  }), async (request, reply) => {
    let ready = false
    try {
      ready = await control.ready()
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed')
    }
    return ready ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' })
  })

  app.get('/metrics', guard.read({
    tags: TAGS,
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'What the engine records (runs by task and status, run durations, queue depths, sweep lag), in the Prometheus text format.',
    response: {
      200: { description: 'Metrics in the Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } },
      ...errorResponses(401)
    }
  }), async (_request, reply) => {
    const text = await control.metrics.metrics()
    return reply.type(control.metrics.contentType).send(text)
  })
}
