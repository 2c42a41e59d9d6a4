// Every error code of blast-tasks, in one table. Each has a documentation line; docs/errors.md is
// kept complete by test/errors.test.ts. Two families share the table:
//   - diagnostics: problems in a manifest or plugin, reported as `file:line:col severity CODE message`
//   - runtime errors: thrown by the engine and answered by the API as `{ statusCode, code, error, message }`
import createError from '@fastify/error'

/** Diagnostic codes: what can be wrong with blast.tasks.yaml or a plugin. */
export const DIAGNOSTICS = {
  BLAST_YAML_SYNTAX: 'The file is not valid YAML.',
  BLAST_DUPLICATE_KEY: 'A mapping names the same key twice.',
  BLAST_SCHEMA: 'A value breaks the manifest schema (wrong type, out of range, not one of the allowed values).',
  BLAST_UNKNOWN_PROPERTY: 'A property the schema does not define; the message suggests the closest known one.',
  BLAST_MISSING_PROPERTY: 'A required property (such as a task name) is absent.',
  BLAST_DUPLICATE_TASK: 'Two tasks have the same name, or names that map to the same plugin/queue slug.',
  BLAST_DUPLICATE_STATUS: 'A status is declared twice, or redeclares a built-in status with another type.',
  BLAST_UNKNOWN_TASK: 'A prerequisite names a task the manifest does not declare.',
  BLAST_UNKNOWN_STATUS: 'A prerequisite or failed_status names a status the manifest does not declare.',
  BLAST_CYCLE: 'Prerequisites form a cycle, printed as a path A -> B -> A.',
  BLAST_SYSTEM_PREREQUISITES: 'A system task declares prerequisites; system tasks run on their schedule only.',
  BLAST_SYSTEM_DEPENDENCY: 'A transient task names a system task as a prerequisite.',
  BLAST_SELF_PREREQUISITE: "A task's own prerequisite asks for a status other than its implied `not processed` guard.",
  BLAST_PLUGIN_MISSING: 'The plugin file of a task does not exist.',
  BLAST_PLUGIN_LOAD: 'The plugin file exists but does not load (syntax error, failing import, throw at load time).',
  BLAST_PLUGIN_OUTSIDE: "The plugin path leads outside the manifest's folder, as written (`../`, an absolute path) or through a symbolic link; it is not loaded.",
  BLAST_PLUGIN_EXTENSION: 'The plugin file is not a JavaScript or TypeScript module (.ts, .mts, .cts, .js, .mjs, .cjs); it is not loaded.',
  BLAST_PLUGIN_EXPORTS: 'The plugin exports something other than a single `process` function.',
  BLAST_PLUGIN_UNUSED: 'A file in plugins/ that no task uses (warning).',
  BLAST_MANIFEST_READ: 'The manifest file does not exist or cannot be read.',
  BLAST_VALIDATOR_FAILED: 'The validator itself failed on this input; a bug to report with the manifest that caused it.'
} as const satisfies Record<`BLAST_${string}`, string>

export type DiagnosticCode = keyof typeof DIAGNOSTICS

// Runtime errors. The message is a format string for @fastify/error (%s).
export const BlastManifestInvalid = createError('BLAST_MANIFEST_INVALID', 'manifest %s has errors:\n%s', 500)
export const BlastDataDirLocked = createError('BLAST_DATA_DIR_LOCKED', '%s', 500)
export const BlastUnknownTask = createError('BLAST_TASK_NOT_FOUND', 'task "%s" is not declared; declared: %s', 404)
export const BlastUnknownTransient = createError('BLAST_TRANSIENT_NOT_FOUND', 'transient "%s" does not exist', 404)
export const BlastDuplicateTransient = createError('BLAST_TRANSIENT_EXISTS', 'transient(s) already exist: %s', 409)
export const BlastInvalidTransient = createError('BLAST_TRANSIENT_INVALID', '%s', 400)
export const BlastNotTransientTask = createError('BLAST_NOT_A_TRANSIENT_TASK', 'task "%s" is a system task and runs on no transient', 400)
export const BlastRunNotFound = createError('BLAST_RUN_NOT_FOUND', 'run %s does not exist', 404)
export const BlastRunRefused = createError('BLAST_RUN_REFUSED', '%s', 409)
export const BlastNotReady = createError('BLAST_NOT_READY', 'the runtime is %s', 503)
export const BlastDatabaseNewer = createError('BLAST_DATABASE_NEWER', '%s', 500)
// Start-up: `blast-tasks start` prints each as one line and ends with its own exit code (docs/operations.md).
export const BlastSettingInvalid = createError('BLAST_SETTING_INVALID', '%s', 500)
export const BlastDatabaseUnavailable = createError('BLAST_DATABASE_UNAVAILABLE', '%s', 503)
export const BlastPortUnavailable = createError('BLAST_PORT_UNAVAILABLE', '%s', 500)
export const BlastManifestConflict = createError('BLAST_MANIFEST_CONFLICT', '%s', 500)
// Raised by the control API itself (runtime/api/): fastify's own failures mapped onto the table.
export const BlastBadRequest = createError('BLAST_BAD_REQUEST', '%s', 400)
export const BlastUnauthorized = createError('BLAST_UNAUTHORIZED', '%s', 401)
export const BlastRouteNotFound = createError('BLAST_ROUTE_NOT_FOUND', 'route %s %s does not exist; the routes are listed at /docs', 404)
export const BlastBodyTooLarge = createError('BLAST_BODY_TOO_LARGE', 'the request body is larger than the limit of %s bytes', 413)
export const BlastUnsupportedMediaType = createError('BLAST_UNSUPPORTED_MEDIA_TYPE', 'content-type %s is not accepted here; accepted: %s', 415)
export const BlastBadUrl = createError('BLAST_BAD_URL', 'the URL %s is not valid: %s', 400)
export const BlastUriTooLong = createError('BLAST_URI_TOO_LONG', '%s', 414)
export const BlastInvalidText = createError('BLAST_INVALID_TEXT', '%s holds U+0000, which no name, status or filter can hold', 400)
export const BlastInvalidCursor = createError('BLAST_INVALID_CURSOR', 'cursor "%s" is not a next_cursor this API handed out; leave it out for the first page', 400)
export const BlastMalformedBody = createError('BLAST_MALFORMED_BODY', '%s', 400)
export const BlastJsonTooDeep = createError('BLAST_JSON_TOO_DEEP', 'the JSON body nests deeper than the limit of %s levels', 400)
export const BlastInternal = createError('BLAST_INTERNAL', 'internal error (request %s); the server log has the details', 500)

/** Runtime error codes with their documentation; kept in step with the constructors above by a test. */
export const RUNTIME_ERRORS = {
  BLAST_MANIFEST_INVALID: 'The runtime was started with a manifest that has errors; nothing was applied.',
  BLAST_DATA_DIR_LOCKED: 'Another process holds the embedded database in BLAST_DATA_DIR (the lockfile names it).',
  BLAST_TASK_NOT_FOUND: 'The task is not declared in the manifest (404).',
  BLAST_TRANSIENT_NOT_FOUND: 'No transient has that name (404).',
  BLAST_TRANSIENT_EXISTS: 'Creating transients that already exist; the message names them (409).',
  BLAST_TRANSIENT_INVALID: 'A transient breaks the rules for names, coordinates or fields (400).',
  BLAST_NOT_A_TRANSIENT_TASK: 'A per-transient operation was asked of a system task (400).',
  BLAST_RUN_NOT_FOUND: 'No run history row has that id (404).',
  BLAST_RUN_REFUSED: 'A run result cannot be recorded (`blast-tasks run --commit`): a worker is running that task on that transient now, the transient has no register for the task, or the status is not declared in the manifest being run (409).',
  BLAST_NOT_READY: 'The runtime is starting or stopping (503).',
  BLAST_DATABASE_NEWER: 'The database holds migrations this version of blast-tasks does not have: it was upgraded by a newer version. Run that version (migrations only go forward).',
  BLAST_SETTING_INVALID: 'An environment setting of `blast-tasks start` has a value it does not accept; the message names the setting, the value and what is allowed (exit code 78).',
  BLAST_DATABASE_UNAVAILABLE: 'The PostgreSQL database of DATABASE_URL cannot be reached at start: refused, unknown host, unknown database, bad credentials (exit code 69).',
  BLAST_PORT_UNAVAILABLE: 'The control API cannot listen on PORT and HOST: the port is in use or needs privileges (exit code 69).',
  BLAST_MANIFEST_CONFLICT: 'Live processes on the same database run another manifest; the message names them and the differing tasks (exit code 78). Start with --take-over to make this manifest the cluster\'s.',
  BLAST_BAD_REQUEST: 'A request breaks the API schema: unknown property, wrong type, bad parameter, a date that does not exist; the message says which (400).',
  BLAST_UNAUTHORIZED: 'A mutating call (or any call with read auth on) lacks a valid `Authorization: Bearer <token>` header (401).',
  BLAST_ROUTE_NOT_FOUND: 'No API route has that method and path (404).',
  BLAST_BODY_TOO_LARGE: 'The request body is larger than the API body limit, 1 MiB by default (413).',
  BLAST_UNSUPPORTED_MEDIA_TYPE: 'The request body has a content-type the route does not accept (415).',
  BLAST_BAD_URL: 'The URL cannot be decoded (a bad %-escape, or bytes that are not UTF-8); rejected before routing (400).',
  BLAST_URI_TOO_LONG: 'The URL is longer than 4,096 characters, or a path parameter is longer than its documented maximum (414).',
  BLAST_INVALID_TEXT: 'A query or path parameter holds U+0000 (`%00`), which PostgreSQL text cannot hold (400).',
  BLAST_INVALID_CURSOR: 'A `cursor` that is not a `next_cursor` of the same list (400).',
  BLAST_MALFORMED_BODY: 'The request body cannot be parsed: not JSON, empty with a JSON content-type, or a bad content-length; rejected before validation (400).',
  BLAST_JSON_TOO_DEEP: 'A JSON body nests arrays and objects deeper than 1,000 levels (400).',
  BLAST_INTERNAL: 'An unexpected error in the API or engine; the response hides the details, the server log has them (500).'
} as const satisfies Record<`BLAST_${string}`, string>
