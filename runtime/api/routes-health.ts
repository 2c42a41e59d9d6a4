// Probes and metrics, outside the version prefix where orchestrators and Prometheus expect them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiContext } from './context.ts'
import { errorResponse, errorResponses } from './schemas.ts'

const TAGS = ['health']

// Probes, scrapes and the board's own files are polled: fastify's two info lines per request would
// bury everything else. They are logged at debug instead, one line each (quietRequestLogging).
const QUIET = /^\/(?:health|ready|metrics|board\/[^?]*)?(?:\?|$)/
export const quietRequest = (request: { url?: string }): boolean => QUIET.test(request.url ?? '')

/** with `new LogController({ disableRequestLogging: quietRequest })`: one debug line per quiet request instead */
export function quietRequestLogging (app: FastifyInstance): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    if (quietRequest(request.raw)) request.log.debug({ url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed')
  })
}

// A probe answers 200 (or 503); only a URL the server refuses before the route (a bad %-escape, one
// over 4,096 characters) gets a 4xx, which is what an orchestrator misconfigured with such a URL sees.
const PROBE_ERRORS = { 400: errorResponse(400, 'The URL does not decode (BLAST_BAD_URL).'), 414: errorResponse(414) }

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
    response: { 200: statusBody('ok', 'Alive.'), ...PROBE_ERRORS }
  }), async () => ({ status: 'ok' }))

  app.get('/ready', guard.open({
    tags: TAGS,
    operationId: 'ready',
    summary: 'Readiness',
    description: '200 when the database is reachable and a manifest is loaded, else 503.',
    response: { 200: statusBody('ready', 'Ready.'), 503: statusBody('not ready', 'Starting, stopping, or the database is unreachable.'), ...PROBE_ERRORS }
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
