// Statuses and tasks: what the manifest declares, how each task is scheduled and enabled, and the
// operator's switches (Blast's Django admin enable/disable, "run now").
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from './context.ts'
import { body, errorResponses, params, ref, taskName, transientName } from './schemas.ts'
import { taskView } from './views.ts'

const TAGS = ['tasks']
const taskParams = params({ task: taskName })

export default async function taskRoutes(app: FastifyInstance, { control, guard }: ApiContext): Promise<void> {
  app.get('/statuses', guard.read({
    tags: TAGS,
    operationId: 'listStatuses',
    summary: 'List the statuses',
    description: 'Every status a task register can hold: the built-in ones and those the manifest declares.',
    response: {
      200: {
        description: 'The statuses.',
        type: 'object',
        additionalProperties: false,
        required: ['items'],
        properties: { items: { type: 'array', items: ref('Status') } }
      },
      ...errorResponses(401)
    }
  }), async () => ({ items: control.statuses() }))

  // Requests that arrive while a read of the tasks is in flight share it, serialised once: under load
  // one database round trip and one JSON.stringify serve them all, and none sees older data than a
  // read that started before it arrived. Sequential callers always read afresh. (taskView builds
  // exactly the Task schema's properties, so the schema's serializer would write the same text.)
  let inFlight: Promise<string> | null = null
  const listTasks = () => {
    inFlight ??= control.listTasks().then((tasks) => JSON.stringify({ items: tasks.map(taskView) })).finally(() => { inFlight = null })
    return inFlight
  }

  app.get('/tasks', guard.read({
    tags: TAGS,
    operationId: 'listTasks',
    summary: 'List the tasks',
    description: 'Every task with its definition, schedule, enablement, last and next sweep, and transients per status.',
    response: {
      200: {
        description: 'The tasks, in manifest order.',
        type: 'object',
        additionalProperties: false,
        required: ['items'],
        properties: { items: { type: 'array', items: ref('Task') } }
      },
      ...errorResponses(401)
    }
  }), async (_request, reply) => reply.type('application/json; charset=utf-8').send(await listTasks()))

  app.get<{ Params: { task: string } }>('/tasks/:task', guard.read({
    tags: TAGS,
    operationId: 'getTask',
    summary: 'Get a task',
    params: taskParams,
    response: { 200: { description: 'The task.', ...ref('Task') }, ...errorResponses(400, 401, 404) }
  }), async (request) => taskView(await control.getTask(request.params.task)))

  app.patch<{ Params: { task: string }; Body: { enabled: boolean | null } }>('/tasks/:task', guard.write({
    tags: TAGS,
    operationId: 'updateTask',
    summary: 'Enable or disable a task',
    description: 'Persists an override of the manifest\'s `enabled` (kept across restarts and manifest reloads); `null` clears it.',
    params: taskParams,
    body: body('The override.', {
      enabled: { type: ['boolean', 'null'], description: 'true or false to override the manifest; null to follow it again.' }
    }, ['enabled']),
    response: { 200: { description: 'The task after the change.', ...ref('Task') }, ...errorResponses(400, 401, 404, 413, 415) }
  }), async (request) => taskView(await control.setEnabled(request.params.task, request.body.enabled)))

  app.post<{ Params: { task: string }; Body: { transient?: string } }>('/tasks/:task/run', {
    ...guard.write({
      tags: TAGS,
      operationId: 'runTask',
      [OPTIONAL_BODY]: true,
      summary: 'Run a task now',
      description: 'Sweeps now: runs the task on every eligible transient (a system task runs once); `queued` is how many registers it will run, 0 when nothing is eligible. A disabled task runs too, once, and stays disabled (runs recorded with cause `api`). With `transient`, queues it for that one transient only. The body is optional.',
      params: taskParams,
      body: body('What to run; an empty object (or no body) sweeps.', {
        transient: { ...transientName, description: 'Queue the task for this transient only.' }
      }),
      response: {
        202: {
          description: 'Queued.',
          type: 'object',
          additionalProperties: false,
          required: ['queued'],
          properties: { queued: { type: 'integer', description: 'How many registers it will run (a system task: 1).' } }
        },
        ...errorResponses(400, 401, 404, 413, 415)
      }
    }),
    preValidation: emptyBodyIsEmptyObject
  }, async (request, reply) => {
    const result = await control.runTask(request.params.task, request.body.transient)
    return reply.code(202).send({ queued: result.queued })
  })
}

/** Marks an operation whose body may be left out; the OpenAPI document then says `required: false`. */
export const OPTIONAL_BODY = 'x-optional-body'

/** For routes whose body is optional: a POST without a body validates as `{}`. */
export function emptyBodyIsEmptyObject(request: { body: unknown }, _reply: unknown, done: () => void): void {
  request.body ??= {}
  done()
}
