// Transients: ingest, read (Blast's read-only REST views of transients and task registers), delete, and
// the operator's recovery actions (retrigger, reprocess, partial update = reset with cascade).
import type { FastifyInstance } from 'fastify'
import type { ProcessingStatus } from '../control.ts'
import { BlastBadRequest } from '../errors.ts'
import { STATUS_TYPES, type StatusType, type TransientInput } from '../types.ts'
import type { ApiContext } from './context.ts'
import { OPTIONAL_BODY, emptyBodyIsEmptyObject } from './routes-tasks.ts'
import { PROCESSING_STATUSES, body, cursor, errorResponses, limit, params, query, ref, taskName, transientName } from './schemas.ts'
import { explanationView, pageView } from './views.ts'

const TAGS = ['transients']
/** Who the run history names as the author of operator actions taken here. */
const BY = 'api'
const MAX_BATCH = 1000

const nameParams = params({ name: transientName })
const nameTaskParams = params({ name: transientName, task: taskName })

interface ListQuery { task?: string; status?: string; status_type?: StatusType; processing_status?: ProcessingStatus; limit: number; cursor?: string }
type NameParams = { Params: { name: string } }

export default async function transientRoutes(app: FastifyInstance, { control, guard }: ApiContext): Promise<void> {
  app.get<{ Querystring: ListQuery }>('/transients', guard.read({
    tags: TAGS,
    operationId: 'listTransients',
    summary: 'List transients',
    description: 'Oldest `public_timestamp` first (name on ties, transients without one last), paginated with `cursor`. ' +
      'Filter by the status of a task (`task`, `status`, `status_type`: a transient qualifies when one of its registers matches all that are given), and by `processing_status`.',
    querystring: query({
      task: { ...taskName, description: 'Transients whose register for this task matches `status` and `status_type`; alone: transients that have this task.' },
      status: { type: 'string', minLength: 1, maxLength: 200, description: 'A status message, e.g. `processed`. Without `task`: transients with any task in that status.' },
      status_type: { type: 'string', enum: STATUS_TYPES, description: 'A status type (blank, success, warning, error): transients with a task (or `task`) in a status of that type, e.g. `error` for every transient with a failed task.' },
      processing_status: { type: 'string', enum: PROCESSING_STATUSES, description: 'processing, blocked or completed.' },
      limit,
      cursor
    }),
    response: { 200: { description: 'A page of transients.', ...ref('TransientPage') }, ...errorResponses(400, 401, 404) }
  }), async (request) => pageView(await control.listTransients(request.query)))

  app.post<{ Body: TransientInput | TransientInput[] }>('/transients', guard.write({
    tags: TAGS,
    operationId: 'createTransients',
    summary: 'Create transients',
    description: `One transient or an array of up to ${MAX_BATCH}. The new transients are queued at once. If any already exists, nothing is created and the 409 names every existing one.`,
    body: {
      description: 'A transient, or an array of transients.',
      oneOf: [
        ref('TransientInput'),
        { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: ref('TransientInput'), description: 'Several transients.' }
      ]
    },
    response: {
      201: {
        description: 'Created.',
        type: 'object',
        additionalProperties: false,
        required: ['created'],
        properties: { created: { type: 'array', items: ref('Transient'), description: 'The transients created, in the order given.' } }
      },
      ...errorResponses(400, 401, 409, 413, 415)
    }
  }), async (request, reply) => {
    const inputs = Array.isArray(request.body) ? request.body : [request.body]
    const created = await control.createTransients(inputs)
    return reply.code(201).send({ created })
  })

  app.get<NameParams>('/transients/:name', guard.read({
    tags: TAGS,
    operationId: 'getTransient',
    summary: 'Get a transient',
    description: 'Its fields, progress and processing status, and for every task its status, type, time, duration, attempts, output and last error.',
    params: nameParams,
    response: { 200: { description: 'The transient.', ...ref('TransientDetail') }, ...errorResponses(400, 401, 404) }
  }), async (request) => control.getTransient(request.params.name))

  app.put<NameParams & { Body: Omit<TransientInput, 'name'> & { name?: string } }>('/transients/:name', guard.write({
    tags: TAGS,
    operationId: 'putTransient',
    summary: 'Create or update a transient',
    description: 'Creates the transient (201, queued at once) or replaces its fields (200). Task statuses are kept; use retrigger, reprocess or reset to run tasks again.',
    params: nameParams,
    body: ref('TransientUpdate'),
    response: {
      200: { description: 'Updated.', ...ref('Transient') },
      201: { description: 'Created.', ...ref('Transient') },
      ...errorResponses(400, 401, 413, 415)
    }
  }), async (request, reply) => {
    const { name } = request.params
    if (request.body.name !== undefined && request.body.name !== name) {
      throw new BlastBadRequest(`body/name "${request.body.name}" differs from the name in the path "${name}"`)
    }
    const { created, transient } = await control.upsertTransient({ ...request.body, name })
    if (created) reply.header('location', `${request.url}`)
    return reply.code(created ? 201 : 200).send(transient)
  })

  app.delete<NameParams>('/transients/:name', guard.write({
    tags: TAGS,
    operationId: 'deleteTransient',
    summary: 'Delete a transient',
    description: 'Deletes the transient and its task registers. Its run history is kept.',
    params: nameParams,
    response: { 204: { description: 'Deleted.', type: 'null' }, ...errorResponses(400, 401, 404) }
  }), async (request, reply) => {
    await control.deleteTransient(request.params.name)
    return reply.code(204).send()
  })

  const action = (operationId: string, summary: string, description: string) => guard.write({
    tags: TAGS,
    operationId,
    summary,
    description,
    params: nameParams,
    response: { 200: { description: 'The tasks that were reset and queued.', ...ref('ResetResult') }, ...errorResponses(400, 401, 404) }
  })

  app.post<NameParams>('/transients/:name/retrigger', action('retriggerTransient', 'Retrigger a transient',
    'Sets every error-type register, and every `processing` register that no live worker owns (a crashed run), back to `not processed` and runs them again (Blast\'s retrigger). A run a live worker is running is left to finish.'),
  async (request) => control.retrigger(request.params.name, BY))

  app.post<NameParams>('/transients/:name/reprocess', action('reprocessTransient', 'Reprocess a transient',
    'Sets every register back to `not processed` and runs the whole pipeline again (Blast\'s reprocess).'),
  async (request) => control.reprocess(request.params.name, BY))

  app.post<{ Params: { name: string; task: string }; Body: { cascade?: boolean } }>('/transients/:name/tasks/:task/reset', {
    ...guard.write({
      tags: TAGS,
      operationId: 'resetTask',
      [OPTIONAL_BODY]: true,
      summary: 'Reset one task of a transient',
      description: 'Sets the task back to `not processed` and, with `cascade` (the default), every task downstream of it: Blast\'s partial update. The body is optional.',
      params: nameTaskParams,
      body: body('How far to reset.', {
        cascade: { type: 'boolean', default: true, description: 'Also reset every task that depends on this one, directly or not.' }
      }),
      response: { 200: { description: 'The tasks that were reset and queued.', ...ref('ResetResult') }, ...errorResponses(400, 401, 404, 413, 415) }
    }),
    preValidation: emptyBodyIsEmptyObject
  }, async (request) => control.resetTask(request.params.name, request.params.task, { cascade: request.body.cascade ?? true }, BY))

  app.get<{ Params: { name: string; task: string } }>('/transients/:name/tasks/:task/explain', guard.read({
    tags: TAGS,
    operationId: 'explainTask',
    summary: 'Explain why a task is or is not running for a transient',
    description: 'Each prerequisite and whether it holds, enablement, in-flight jobs, attempts and the next sweep, with a one-sentence summary.',
    params: nameTaskParams,
    response: { 200: { description: 'The explanation.', ...ref('Explanation') }, ...errorResponses(400, 401, 404) }
  }), async (request) => explanationView(await control.explain(request.params.name, request.params.task)))
}
