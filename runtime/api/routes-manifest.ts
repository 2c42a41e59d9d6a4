// The manifest: what runs now (and what the last load attempt said), and a dry run of a text.
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from './context.ts'
import { errorResponses, ref } from './schemas.ts'
import { manifestView, validationView } from './views.ts'

const TAGS = ['manifest']
export const YAML_TYPES = ['application/yaml', 'text/yaml', 'text/plain'] as const

const yamlText = { type: 'string', description: 'The text of a blast.tasks.yaml.' }

export default async function manifestRoutes(app: FastifyInstance, { control, guard }: ApiContext): Promise<void> {
  // This context takes YAML text only; JSON would reach the handler unvalidated as an object.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['application/yaml', 'text/yaml'], { parseAs: 'string' }, (_request, text, done) => done(null, text))

  app.get('/manifest', guard.read({
    tags: TAGS,
    operationId: 'getManifest',
    summary: 'Get the effective manifest',
    description: 'The manifest the runtime runs, its file, when it was loaded, and the diagnostics of the last load attempt (an edit with errors leaves the last good manifest running).',
    response: { 200: { description: 'The manifest.', ...ref('ManifestInfo') }, ...errorResponses(401) }
  }), async () => manifestView(control.manifestInfo()))

  app.post<{ Body: string }>('/manifest/validate', {
    config: { accepts: YAML_TYPES },
    ...guard.write({
      tags: TAGS,
      operationId: 'validateManifest',
      summary: 'Validate a manifest text',
      description: 'Checks a blast.tasks.yaml sent as the body (`Content-Type: application/yaml`, `text/yaml` or `text/plain`) and returns every diagnostic. Nothing is applied. Plugins are loaded to check them in a throwaway worker thread with a 10 s limit, never in the runtime\'s own thread; a plugin path outside the manifest\'s folder is refused unloaded (`BLAST_PLUGIN_OUTSIDE`).',
      body: { content: Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: yamlText }])) },
      response: { 200: { description: 'The diagnostics; `ok` is false when any is an error.', ...ref('ValidationResult') }, ...errorResponses(400, 401, 413, 415) }
    })
  }, async (request) => validationView(await control.validateManifest(request.body)))

  app.post<{ Body: string }>('/manifest/plan', {
    config: { accepts: YAML_TYPES },
    ...guard.write({
      tags: TAGS,
      operationId: 'planManifest',
      summary: 'Plan a manifest text',
      description: 'What applying a blast.tasks.yaml sent as the body would change against the database: tasks added (and the transients each backfills), removed, rewired, re-timed, enabled or disabled, other changed fields, statuses, and the transients that would become eligible. The same answer as `blast-tasks plan --json`. Nothing is applied; plugins are checked as by validate, in a throwaway worker thread.',
      body: { content: Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: yamlText }])) },
      response: { 200: { description: 'The diagnostics, and the changes when the text has no error.', ...PLAN_RESULT }, ...errorResponses(400, 401, 413, 415) }
    })
  }, async (request) => {
    const { diagnostics, changes } = await control.planManifest(request.body)
    return { ...validationView(diagnostics), changes }
  })
}

// The answer of planManifest (runtime/planner.ts ManifestChanges), described for the OpenAPI document.
const taskName = { type: 'string', description: 'Task name.' }
const prerequisites = { type: 'object', additionalProperties: { type: 'string' }, description: '{task: status}.' }
const item = (description: string, properties: Record<string, unknown>) =>
  ({ type: 'array', description, items: { type: 'object', additionalProperties: false, required: Object.keys(properties), properties } })
const enablement = (description: string) => item(description, {
  task: taskName,
  declared_before: { type: 'boolean', description: 'The applied manifest\'s `enabled`.' },
  declared_after: { type: 'boolean', description: 'The candidate\'s `enabled`.' },
  override: { type: ['boolean', 'null'], description: 'The operator override kept in the database (it wins), or null.' },
  effective_after: { type: 'boolean', description: 'Whether the task runs once applied.' }
})
const CHANGES = {
  type: 'object',
  additionalProperties: false,
  description: 'What applying the text would change.',
  required: ['unchanged', 'applied_before', 'transients', 'graph_changed', 'added', 'removed', 'rewired', 'retimed', 'enabled', 'disabled', 'changed', 'statuses', 'eligible'],
  properties: {
    unchanged: { type: 'boolean', description: 'True when nothing would change.' },
    applied_before: { type: 'boolean', description: 'False when the database has no manifest applied yet.' },
    transients: { type: 'integer', description: 'Transients in the database.' },
    graph_changed: { type: 'boolean', description: 'Readiness and progress of every transient are re-evaluated on apply.' },
    added: item('Tasks the database does not run yet.', {
      task: taskName,
      kind: { type: 'string', enum: ['transient', 'system'], description: 'Task kind.' },
      backfill: { type: 'integer', description: 'Transients that get a `not processed` register for it (0 for system tasks).' },
      enabled: { type: 'boolean', description: 'Whether it runs once applied.' }
    }),
    removed: item('Tasks that stop running; their registers are kept.', {
      task: taskName,
      kind: { type: 'string', enum: ['transient', 'system'], description: 'Task kind.' },
      registers: { type: 'integer', description: 'Registers kept for it.' }
    }),
    rewired: item('Tasks whose prerequisites change.', {
      task: taskName,
      before: { ...prerequisites, description: 'Prerequisites now.' },
      after: { ...prerequisites, description: 'Prerequisites once applied.' }
    }),
    retimed: item('Tasks whose frequency changes.', {
      task: taskName,
      before: { type: 'integer', description: 'frequency_seconds now.' },
      after: { type: 'integer', description: 'frequency_seconds once applied.' },
      cron: { type: ['string', 'null'], description: 'The cron expression it will sweep on, or null for the interval ticker.' }
    }),
    enabled: enablement('Tasks the candidate declares enabled that the applied manifest declared disabled.'),
    disabled: enablement('Tasks the candidate declares disabled that the applied manifest declared enabled.'),
    changed: item('Other fields that change.', {
      task: taskName,
      field: { type: 'string', enum: ['kind', 'plugin', 'failed_status', 'timeout_seconds', 'retries', 'memory_mb', 'max_output_bytes', 'concurrency', 'description'], description: 'The manifest field.' },
      before: { type: ['string', 'integer'], description: 'Its value now.' },
      after: { type: ['string', 'integer'], description: 'Its value once applied.' }
    }),
    statuses: {
      type: 'object',
      additionalProperties: false,
      description: 'Declared statuses that change.',
      required: ['added', 'removed', 'retyped'],
      properties: {
        added: item('New statuses.', {
          message: { type: 'string', description: 'Status message.' },
          type: { type: 'string', description: 'Status type.' }
        }),
        removed: { type: 'array', items: { type: 'string' }, description: 'Statuses no longer declared.' },
        retyped: item('Statuses whose type changes.', {
          message: { type: 'string', description: 'Status message.' },
          before: { type: 'string', description: 'Type now.' },
          after: { type: 'string', description: 'Type once applied.' }
        })
      }
    },
    eligible: item('Per task, the transients that are not eligible now and would be once applied.', {
      task: taskName,
      count: { type: 'integer', description: 'How many.' },
      sample: { type: 'array', items: { type: 'string' }, description: 'The first of them, in ingest order.' },
      enabled: { type: 'boolean', description: 'False: they wait until the task is enabled.' }
    })
  }
}
const PLAN_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'diagnostics', 'changes'],
  properties: {
    ok: { type: 'boolean', description: 'False when a diagnostic is an error; nothing is compared then.' },
    diagnostics: { type: 'array', items: ref('Diagnostic'), description: 'Every problem of the text.' },
    changes: { oneOf: [{ type: 'null' }, CHANGES], description: 'The changes, or null when the text has errors.' }
  }
}
