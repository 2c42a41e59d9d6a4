// The JSON schemas of the control API: the one source for request validation (ajv), response
// serialization (fast-json-stringify) and the OpenAPI document (@fastify/swagger). Shared shapes
// carry an `$id` and are referenced as `{ $ref: 'Name#' }`; they become `components.schemas.Name`.
import { STATUS_CODES } from 'node:http'
import {
  BlastBadRequest,
  BlastBadUrl,
  BlastBodyTooLarge,
  BlastDuplicateTransient,
  BlastInternal,
  BlastInvalidCursor,
  BlastMalformedBody,
  BlastNotReady,
  BlastRouteNotFound,
  BlastRunNotFound,
  BlastUnauthorized,
  BlastUnknownTask,
  BlastUnknownTransient,
  BlastUnsupportedMediaType,
  BlastUriTooLong
} from '../errors.ts'
import { STATUS_TYPES } from '../types.ts'

const TRANSIENT_NAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$'

export const PROCESSING_STATUSES = ['processing', 'blocked', 'completed'] as const
export const RUN_CAUSES = ['sweep', 'push', 'api', 'retry', 'recovery', 'cli'] as const

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra })
const isoTime = (description: string) => ({ type: 'string', format: 'date-time', description })
const isoTimeOrNull = (description: string) => ({ ...nullable('string', { format: 'date-time' }), description })

export const transientName = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: TRANSIENT_NAME_PATTERN,
  description: "The transient's unique name (Blast's rule: up to 64 letters, digits, `_` or `-`, starting and ending with a letter or digit).",
  examples: ['2024abc']
} as const

export const taskName = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  description: 'A task name as declared in the manifest (URL-encode spaces: `Host%20match`).',
  examples: ['Host match']
} as const

// The writable fields of a transient; `name` is added (and required) by TransientInput.
const transientFields = {
  ra_deg: { type: 'number', minimum: 0, exclusiveMaximum: 360, description: 'Right ascension in degrees, [0, 360).' },
  dec_deg: { type: 'number', minimum: -90, maximum: 90, description: 'Declination in degrees, [-90, 90].' },
  public_timestamp: isoTimeOrNull('Discovery time (ISO 8601); oldest first is the processing order. Null when unknown.'),
  redshift: { ...nullable('number', { minimum: 0 }), description: 'Redshift (>= 0), or null when unknown.' },
  data: { type: 'object', additionalProperties: true, description: 'Free-form fields kept with the transient and passed to plugins.' }
} as const

const transientSummaryProperties = {
  name: transientName,
  ...transientFields,
  progress: { type: 'integer', minimum: 0, maximum: 100, description: 'Percentage of its tasks done (Blast progress rule).' },
  processing_status: { type: 'string', enum: PROCESSING_STATUSES, description: '`processing` below 100%, else `blocked` when a task ended in an error status, else `completed`.' },
  created_at: isoTime('When the transient was created.'),
  updated_at: isoTime('When the transient last changed.')
} as const

// The definition of a task as the manifest declares it; `enabled` is added per view.
const taskDefinitionProperties = {
  name: { type: 'string', description: 'Task name.' },
  slug: { type: 'string', description: 'Kebab-case of the name: the default plugin file name and the queue suffix.' },
  kind: { type: 'string', enum: ['transient', 'system'], description: '`transient` runs per transient; `system` runs on its schedule only.' },
  description: { type: 'string', description: 'What the task does.' },
  plugin: { type: 'string', description: 'The plugin module as written in the manifest, relative to it.' },
  prerequisites: {
    type: 'object',
    additionalProperties: { type: 'string' },
    description: "{task: status} that must all hold for a transient to be eligible (the task's own `not processed` guard is implied)."
  },
  failed_status: { type: 'string', description: 'The status written when the plugin throws.' },
  frequency_seconds: { type: 'integer', description: 'How often the task sweeps for eligible transients (or runs, for a system task).' },
  timeout_seconds: { type: 'integer', description: 'A run is aborted and marked `time limit exceeded` after this long.' },
  retries: { type: 'integer', description: 'How many times a run that throws is retried before the failed status is written.' },
  memory_mb: { type: 'integer', description: "Heap limit (MiB) of the worker a run executes in; past it the run ends in the failed status." },
  max_output_bytes: { type: 'integer', description: 'Largest JSON output a run may return; a larger one ends in the failed status.' },
  concurrency: { type: 'integer', description: 'How many runs of the task one process runs at once.' }
} as const

const diagnosticProperties = {
  file: { type: 'string', description: 'The file the problem is in.' },
  line: { type: 'integer', description: '1-based line.' },
  column: { type: 'integer', description: '1-based column.' },
  severity: { type: 'string', enum: ['error', 'warning'], description: 'An error stops the manifest from loading; a warning does not.' },
  code: { type: 'string', description: 'A BLAST_* diagnostic code (docs/errors.md).' },
  message: { type: 'string', description: 'What is wrong and what is allowed.' },
  text: { type: 'string', description: 'The whole diagnostic as one line: `file:line:col severity CODE message`.' }
} as const

const obj = (id: string, description: string, properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  $id: id,
  type: 'object',
  description,
  additionalProperties: false,
  required,
  properties
})

/** Every shared schema, added to the app (serializer, OpenAPI) and to the validators. */
export const sharedSchemas = [
  obj('Error', 'Every error the API answers has this one shape.', {
    statusCode: { type: 'integer', description: 'The HTTP status code.' },
    code: { type: 'string', pattern: '^BLAST_[A-Z_]+$', description: 'A BLAST_* code (docs/errors.md).' },
    error: { type: 'string', description: 'The HTTP reason phrase.' },
    message: { type: 'string', description: 'What went wrong, and what is allowed.' }
  }),
  obj('Status', 'A status a task register can hold.', {
    message: { type: 'string', description: 'The status message; prerequisites compare it exactly.' },
    type: { type: 'string', enum: STATUS_TYPES, description: 'blank, success, warning or error.' },
    description: { type: 'string', description: 'What the status means.' },
    builtin: { type: 'boolean', description: 'True for the statuses every manifest has.' }
  }),
  obj('TaskDefinition', 'A task as the manifest declares it.', {
    ...taskDefinitionProperties,
    enabled: { type: 'boolean', description: 'Whether the manifest enables the task.' }
  }),
  obj('Task', 'A task: its definition, how it is scheduled, whether it is enabled, and transients per status.', {
    ...taskDefinitionProperties,
    queue: { type: 'string', description: 'The pg-boss queue the task runs from.' },
    schedule: obj('TaskSchedule', 'How the task is swept.', {
      kind: { type: 'string', enum: ['cron', 'interval'], description: '`cron`: a pg-boss schedule; `interval`: the runtime ticker (cadences cron cannot express).' },
      cron: { ...nullable('string'), description: 'The cron expression, for `cron`.' },
      every_seconds: { type: 'integer', description: 'The cadence in seconds.' }
    }),
    enabled: obj('TaskEnabled', 'Whether the task runs: as declared, as overridden by an operator, and the outcome.', {
      declared: { type: 'boolean', description: 'The manifest value.' },
      override: { ...nullable('boolean'), description: 'The persisted operator override, or null for none.' },
      effective: { type: 'boolean', description: 'The override when set, else the declared value.' }
    }),
    last_sweep_at: isoTimeOrNull('When the task last swept (null: never).'),
    next_sweep_at: isoTimeOrNull('When the task sweeps next (null: disabled or not scheduled).'),
    counts: {
      type: 'object',
      additionalProperties: { type: 'integer' },
      description: 'Transients per status message (empty for system tasks).'
    }
  }),
  obj('TransientInput', 'A transient to create.', { name: transientName, ...transientFields }, ['name', 'ra_deg', 'dec_deg']),
  obj('TransientUpdate', 'The fields of a transient to create or replace at a name (the name comes from the path).',
    { name: { ...transientName, description: 'Optional; must equal the name in the path.' }, ...transientFields },
    ['ra_deg', 'dec_deg']),
  obj('Transient', 'A transient with its progress.', transientSummaryProperties),
  obj('TaskRegister', 'The state of one task for one transient.', {
    task: { type: 'string', description: 'Task name.' },
    status: { type: 'string', description: 'The status message.' },
    type: { type: 'string', enum: STATUS_TYPES, description: 'The type of the status.' },
    updated_at: isoTime('When the status was written.'),
    duration_ms: { ...nullable('number'), description: 'Wall time of the last run, in milliseconds.' },
    attempts: { type: 'integer', description: 'Runs attempted since the last reset.' },
    output: { description: "The last run's output (any JSON), or null." },
    last_error: { ...nullable('string'), description: 'The error message of the last failed attempt.' },
    in_manifest: { type: 'boolean', description: 'False for tasks no longer in the manifest (their rows are kept).' }
  }),
  obj('TransientDetail', 'A transient with the state of each of its tasks.', {
    ...transientSummaryProperties,
    tasks: { type: 'array', items: { $ref: 'TaskRegister#' }, description: 'One register per task.' }
  }),
  obj('TransientPage', 'A page of transients.', {
    items: { type: 'array', items: { $ref: 'Transient#' }, description: 'The transients of this page.' },
    next_cursor: { ...nullable('string'), description: 'Pass as `cursor` for the next page; null on the last page.' }
  }),
  obj('ResetResult', 'The outcome of a retrigger, reprocess or reset.', {
    transient: transientName,
    reset: { type: 'array', items: { type: 'string' }, description: 'The tasks set back to `not processed` (and queued).' }
  }),
  obj('Explanation', 'Why a task is or is not running for a transient.', {
    transient: transientName,
    task: { type: 'string', description: 'Task name.' },
    status: { type: 'string', description: "The task's current status for the transient." },
    eligible: { type: 'boolean', description: 'True when every prerequisite holds and the status is `not processed`.' },
    enabled: { type: 'boolean', description: 'Whether the task is enabled (effective).' },
    in_flight: { type: 'boolean', description: 'A job for it is queued or running.' },
    attempts: { type: 'integer', description: 'Runs attempted since the last reset.' },
    prerequisites: {
      type: 'array',
      description: 'Each prerequisite and whether it holds.',
      items: obj('PrerequisiteCheck', 'One prerequisite of a task, checked against a transient.', {
        task: { type: 'string', description: 'The task the prerequisite names.' },
        required: { type: 'string', description: 'The status it requires.' },
        current: { ...nullable('string'), description: "That task's current status (null: no register)." },
        holds: { type: 'boolean', description: 'current equals required.' }
      })
    },
    next_sweep_at: isoTimeOrNull('When the task sweeps next.'),
    summary: { type: 'string', description: 'One sentence: why it is or is not running.' }
  }),
  obj('Run', 'One run of a task (or one operator action) in the history.', {
    id: { type: 'string', description: 'Run id.' },
    transient: { ...nullable('string'), description: 'The transient (null for system tasks).' },
    task: { type: 'string', description: 'Task name.' },
    started_at: isoTime('When the run started.'),
    finished_at: isoTimeOrNull('When it finished (null: still running).'),
    duration_ms: { ...nullable('number'), description: 'Wall time in milliseconds.' },
    status: { type: 'string', description: 'The resulting status (for operator actions: the status written).' },
    error: { ...nullable('string'), description: 'The error message when the plugin threw.' },
    stack: { ...nullable('string'), description: 'The stack trace when the plugin threw.' },
    attempt: { type: 'integer', description: '1 for the first attempt, counting up with retries.' },
    worker: { ...nullable('string'), description: 'The worker that ran it.' },
    cause: { type: 'string', enum: RUN_CAUSES, description: 'What started the run.' },
    action: { ...nullable('string'), description: 'For operator actions: who and what (e.g. `api retrigger`).' },
    output: { description: 'What the plugin returned as output (any JSON), or null.' }
  }),
  obj('RunPage', 'A page of runs, newest first.', {
    items: { type: 'array', items: { $ref: 'Run#' }, description: 'The runs of this page.' },
    next_cursor: { ...nullable('string'), description: 'Pass as `cursor` for the next page; null on the last page.' }
  }),
  obj('Diagnostic', 'A problem found in a manifest or plugin.', diagnosticProperties),
  obj('ManifestInfo', 'The manifest the runtime runs, and the outcome of the last attempt to load it.', {
    file: { type: 'string', description: 'The manifest\'s file name (`blast.tasks.yaml`), never its path on the server.' },
    loaded_at: isoTime('When the running manifest was loaded.'),
    last_attempt_at: isoTime('When a load was last attempted (an edit is reloaded).'),
    last_attempt_ok: { type: 'boolean', description: 'False when the last edit had errors; the last good manifest keeps running.' },
    diagnostics: { type: 'array', items: { $ref: 'Diagnostic#' }, description: 'Diagnostics of the last load attempt.' },
    manifest: obj('Manifest', 'The effective manifest.', {
      version: { type: 'integer', enum: [1], description: 'Manifest format version.' },
      statuses: { type: 'array', items: { $ref: 'Status#' }, description: 'Every status, built-in ones included.' },
      tasks: { type: 'array', items: { $ref: 'TaskDefinition#' }, description: 'Every task.' }
    })
  }),
  obj('ValidationResult', 'The diagnostics of a manifest text; nothing is applied.', {
    ok: { type: 'boolean', description: 'True when no diagnostic is an error.' },
    diagnostics: { type: 'array', items: { $ref: 'Diagnostic#' }, description: 'Every problem found, errors and warnings.' }
  })
]

// Nested schemas above carry an $id too (so they are named in the OpenAPI document) but may only be
// added once: pull them out and reference them where they stood.
function hoist(schemas: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = []
  const walk = (node: unknown, top: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false))
    if (node === null || typeof node !== 'object') return node
    const copy: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) copy[k] = k === 'enum' || k === 'examples' || k === 'required' ? v : walk(v, false)
    if (!top && typeof copy.$id === 'string') {
      out.push(copy)
      return { $ref: `${copy.$id}#` }
    }
    return copy
  }
  for (const s of schemas) out.push(walk(s, true) as Record<string, unknown>)
  return out
}

export const allSchemas: readonly Record<string, unknown>[] = Object.freeze(hoist(sharedSchemas))

export const ref = (id: string) => ({ $ref: `${id}#` })

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request: the body, a parameter or the query breaks the schema (BLAST_BAD_REQUEST) or the rules; ' +
    'or refused before that: a URL that does not decode (BLAST_BAD_URL), U+0000 in a query or path parameter (BLAST_INVALID_TEXT), ' +
    'a body that is not JSON (BLAST_MALFORMED_BODY), JSON nested deeper than 1,000 levels (BLAST_JSON_TOO_DEEP), ' +
    'a cursor this API did not hand out (BLAST_INVALID_CURSOR).',
  401: 'Missing or wrong bearer token (BLAST_UNAUTHORIZED).',
  404: 'No such task, transient or run.',
  409: 'Conflict: the transient already exists (BLAST_TRANSIENT_EXISTS).',
  413: 'The body is larger than the limit (BLAST_BODY_TOO_LARGE).',
  414: 'The URL is longer than 4,096 characters, or a path parameter longer than its maximum (BLAST_URI_TOO_LONG).',
  415: 'The content-type is not accepted (BLAST_UNSUPPORTED_MEDIA_TYPE).',
  503: 'The runtime is starting or stopping (BLAST_NOT_READY).'
}

type Coded = Error & { code: string; statusCode: number }

// One real example per error a status can carry, built from the error table itself so the message is
// the one a client gets (Swagger UI would otherwise invent `BLAST_RDWIQ…` from the code's pattern).
const ERROR_EXAMPLES: Record<number, Record<string, Coded>> = {
  400: {
    badRequest: new BlastBadRequest('body/ra_deg must be < 360'),
    badUrl: new BlastBadUrl('/api/v1/transients?name=%E0%A4%A', 'a %-escape in the query is malformed or does not decode to UTF-8'),
    malformedBody: new BlastMalformedBody('Unexpected end of JSON input'),
    invalidCursor: new BlastInvalidCursor('abc')
  },
  401: { unauthorized: new BlastUnauthorized('the bearer token is not valid') },
  404: {
    transientNotFound: new BlastUnknownTransient('2024abc'),
    taskNotFound: new BlastUnknownTask('Host mtch', 'Host match, Crop images'),
    runNotFound: new BlastRunNotFound('42'),
    routeNotFound: new BlastRouteNotFound('GET', '/api/v1/nope')
  },
  409: { transientExists: new BlastDuplicateTransient('2024abc') },
  413: { bodyTooLarge: new BlastBodyTooLarge(1048576) },
  414: { uriTooLong: new BlastUriTooLong('the URL is 5000 characters long; the limit is 4096') },
  415: { unsupportedMediaType: new BlastUnsupportedMediaType('text/plain', 'application/json') },
  500: { internal: new BlastInternal('req-1f') },
  503: { notReady: new BlastNotReady('starting') }
}

const asExample = (e: Coded) => ({
  summary: e.code,
  value: { statusCode: e.statusCode, code: e.code, error: STATUS_CODES[e.statusCode] ?? 'Error', message: e.message }
})

/** The Error response of one status: its description, the Error schema and real examples. */
export function errorResponse(code: number, description?: string): Record<string, unknown> {
  const examples = Object.fromEntries(Object.entries(ERROR_EXAMPLES[code] ?? ERROR_EXAMPLES[500]).map(([name, e]) => [name, asExample(e)]))
  return {
    description: description ?? ERROR_DESCRIPTIONS[code] ?? 'Unexpected error (BLAST_INTERNAL); the server log has the details.',
    content: { 'application/json': { schema: ref('Error'), examples } }
  }
}

/**
 * Response schemas for the error statuses a route can answer, each with the Error shape. Every route
 * can answer 400 (a URL that does not decode), 414 (an over-long URL) and 500.
 */
export function errorResponses(...codes: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {}
  for (const code of [...new Set([400, ...codes, 414, 500])].sort((a, b) => a - b)) out[code] = errorResponse(code)
  return out
}

/** A querystring schema: unknown parameters are refused, not ignored. */
export const query = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties })
export const params = (properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties
})
export const body = (description: string, properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  description,
  additionalProperties: false,
  required,
  properties
})

export const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Page size, 1..1000.' }
export const cursor = { type: 'string', minLength: 1, description: '`next_cursor` of the previous page.' }
