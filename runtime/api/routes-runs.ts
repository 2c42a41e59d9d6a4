// The run history (what Flower showed for Celery tasks, kept in the database): every run of every
// task, with its outcome, error and stack, and the operator actions.
import type { FastifyInstance } from 'fastify'
import type { RunFilter } from '../control.ts'
import type { ApiContext } from './context.ts'
import { cursor, errorResponses, limit, params, query, ref, taskName, transientName } from './schemas.ts'
import { pageView } from './views.ts'

const TAGS = ['runs']

export default async function runRoutes(app: FastifyInstance, { control, guard }: ApiContext): Promise<void> {
  app.get<{ Querystring: RunFilter }>('/runs', guard.read({
    tags: TAGS,
    operationId: 'listRuns',
    summary: 'List runs',
    description: 'Newest first, paginated with `cursor`; filter by task, transient, resulting status and start time.',
    querystring: query({
      task: { ...taskName, description: 'Only runs of this task.' },
      transient: { ...transientName, description: 'Only runs for this transient.' },
      status: { type: 'string', minLength: 1, description: 'Only runs that ended with this status message.' },
      since: { type: 'string', format: 'date-time', description: 'Only runs started at or after this time (ISO 8601 with a zone).' },
      limit,
      cursor
    }),
    response: { 200: { description: 'A page of runs.', ...ref('RunPage') }, ...errorResponses(400, 401, 404) }
  }), async (request) => pageView(await control.listRuns(request.query)))

  app.get<{ Params: { id: string } }>('/runs/:id', guard.read({
    tags: TAGS,
    operationId: 'getRun',
    summary: 'Get a run',
    params: params({ id: { type: 'string', minLength: 1, maxLength: 100, description: 'Run id.' } }),
    response: { 200: { description: 'The run.', ...ref('Run') }, ...errorResponses(400, 401, 404) }
  }), async (request) => control.getRun(request.params.id))
}
