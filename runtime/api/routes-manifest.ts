// The manifest: what runs now (and what the last load attempt said), and a dry run of a text.
import type { FastifyInstance } from 'fastify'
import type { ApiContext } from './index.ts'
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
      description: 'Checks a blast.tasks.yaml sent as the body (`Content-Type: application/yaml`, `text/yaml` or `text/plain`) and returns every diagnostic. Nothing is applied.',
      body: { content: Object.fromEntries(YAML_TYPES.map((type) => [type, { schema: yamlText }])) },
      response: { 200: { description: 'The diagnostics; `ok` is false when any is an error.', ...ref('ValidationResult') }, ...errorResponses(400, 401, 413, 415) }
    })
  }, async (request) => validationView(await control.validateManifest(request.body)))
}
