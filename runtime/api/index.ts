// The control API: a thin HTTP skin over the engine's Control interface. One fastify app with the
// probes, metrics and Swagger UI at the root and every operation in one encapsulated plugin under
// /api/v1. Options are checked once here; every error leaves through one handler in one shape.
import { STATUS_CODES } from 'node:http'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Control } from '../control.ts'
import {
  BlastBadRequest,
  BlastBodyTooLarge,
  BlastInternal,
  BlastMalformedBody,
  BlastNotReady,
  BlastRouteNotFound,
  BlastUnsupportedMediaType,
  BlastUriTooLong
} from '../errors.ts'
import { SECURITY_SCHEME, WWW_AUTHENTICATE, createGuard } from './auth.ts'
import type { ApiContext } from './context.ts'
import { MAX_URL_LENGTH, badUrl, checkParameters, checkUrlLength, parseJsonWithDepthLimit } from './edges.ts'
import boardRoutes from './routes-board.ts'
import healthRoutes, { quietRequest, quietRequestLogging } from './routes-health.ts'
import manifestRoutes, { YAML_TYPES } from './routes-manifest.ts'
import runRoutes from './routes-runs.ts'
import taskRoutes, { OPTIONAL_BODY } from './routes-tasks.ts'
import transientRoutes from './routes-transients.ts'
import { allSchemas } from './schemas.ts'
import { formatSchemaErrors, validatorCompiler } from './validation.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the content-types a route accepts, named in its 415 (application/json when absent) */
    accepts?: readonly string[]
  }
}

export const API_PREFIX = '/api/v1'
export const DEFAULT_BODY_LIMIT = 1024 * 1024
export const API_VERSION = '1.0.0'

export interface ApiOptions {
  /** the bearer token mutating routes require (see resolveToken) */
  token: string
  /** require the token on reads too (the probes and /docs stay open) */
  readAuth?: boolean
  /** a pino-compatible logger, or true/false for fastify's own */
  logger?: FastifyBaseLogger | boolean
  /** largest accepted request body in bytes; 1 MiB by default */
  bodyLimit?: number
}

export type { ApiContext } from './context.ts'

interface CheckedOptions {
  readonly token: string
  readonly readAuth: boolean
  readonly logger: FastifyBaseLogger | boolean
  readonly bodyLimit: number
}

function checkOptions(options: ApiOptions): CheckedOptions {
  if (typeof options?.token !== 'string' || options.token.length === 0) {
    throw new TypeError('buildApi: options.token must be a non-empty string')
  }
  const readAuth = options.readAuth ?? false
  if (typeof readAuth !== 'boolean') throw new TypeError(`buildApi: options.readAuth must be a boolean, got ${typeof readAuth}`)
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1) {
    throw new TypeError(`buildApi: options.bodyLimit must be a positive integer (bytes), got ${String(bodyLimit)}`)
  }
  const logger = options.logger ?? false
  if (typeof logger !== 'boolean' && (typeof logger !== 'object' || typeof logger.child !== 'function')) {
    throw new TypeError('buildApi: options.logger must be a boolean or a pino-compatible logger')
  }
  return Object.freeze({ token: options.token, readAuth, logger, bodyLimit })
}

interface ApiError { statusCode: number; code: string; message: string }

/** Any error → the one shape, with a BLAST_* code. Only expected errors keep their message. */
function toApiError(error: FastifyError, request: FastifyRequest, bodyLimit: number): ApiError {
  const statusCode = error.statusCode ?? 500
  if (error.validation !== undefined) {
    // a path parameter longer than its maximum is an over-long URI, not a bad request
    if (error.validationContext === 'params' && error.validation.some((e) => e.keyword === 'maxLength')) return new BlastUriTooLong(error.message)
    return new BlastBadRequest(error.message)
  }
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return badUrl(request.url)
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BlastBodyTooLarge(bodyLimit)
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new BlastMalformedBody(error.message)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const accepts = request.routeOptions.config.accepts ?? ['application/json']
      return new BlastUnsupportedMediaType(request.headers['content-type'] ?? '(none)', accepts.join(', '))
    }
  }
  if (typeof error.code === 'string' && error.code.startsWith('BLAST_') && statusCode >= 400 && statusCode < 600) {
    return { statusCode, code: error.code, message: error.message }
  }
  // fastify's own client errors (malformed JSON, empty JSON body, bad content-length…)
  if (statusCode >= 400 && statusCode < 500) return new BlastBadRequest(error.message)
  if (databaseUnreachable(error)) return new BlastNotReady('unable to reach its database; try again shortly')
  return new BlastInternal(request.id)
}

// A lost or refused connection (a restarting server): the runtime reconnects by itself, so 503, not 500.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03'])
function databaseUnreachable (error: { code?: unknown; message?: unknown }): boolean {
  const code = typeof error.code === 'string' ? error.code : ''
  return UNREACHABLE_CODES.has(code) || code.startsWith('08') ||
    (typeof error.message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error/i.test(error.message))
}

function errorHandler(bodyLimit: number) {
  return function handle(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const { statusCode, code, message } = toApiError(error, request, bodyLimit)
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ code, statusCode }, message)
    if (statusCode === 401) reply.header('www-authenticate', WWW_AUTHENTICATE)
    return reply.code(statusCode).send({ statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message })
  }
}

// @fastify/swagger marks every request body required; the routes that take `{}` for no body say so.
function markOptionalBodies<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {}
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (operation[OPTIONAL_BODY] !== true) continue
      delete operation[OPTIONAL_BODY]
      const requestBody = operation.requestBody as { required?: boolean } | undefined
      if (requestBody !== undefined) requestBody.required = false
    }
  }
  return document
}

async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'blast-tasks control API',
        version: API_VERSION,
        description: 'Operate a blast-tasks runtime: tasks, transients, run history, the manifest. ' +
          'Mutating operations need `Authorization: Bearer <token>` (the token is in `.blast/api-token` unless BLAST_API_TOKEN is set): ' +
          'press Authorize and paste it. Errors have one shape, `{ statusCode, code, error, message }`, with BLAST_* codes (docs/errors.md).',
        license: { name: 'MIT', identifier: 'MIT' }
      },
      // relative: the document is served by the runtime it describes, on whatever address it listens
      servers: [{ url: '/', description: 'The runtime serving this document.' }],
      tags: [
        { name: 'tasks', description: 'Statuses and tasks: definitions, schedules, enable/disable, run now.' },
        { name: 'transients', description: 'Ingest, read, delete; retrigger, reprocess, reset; explain.' },
        { name: 'runs', description: 'The run history.' },
        { name: 'manifest', description: 'The effective manifest and validation of a text.' },
        { name: 'health', description: 'Liveness, readiness and Prometheus metrics.' }
      ],
      components: {
        securitySchemes: {
          [SECURITY_SCHEME]: { type: 'http', scheme: 'bearer', description: 'The API token (`.blast/api-token` or BLAST_API_TOKEN).' }
        }
      }
    },
    transformObject: (document) => markOptionalBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
    // Shared schemas keep their $id as their name in components.schemas (Transient, Task, Error…).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) }
  })
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, tryItOutEnabled: true },
    staticCSP: true,
    // the API is usually served over plain HTTP on a private network: upgrading to https would break the UI
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, '')
  })
}

/** Builds the API app over a running engine; it is ready but not listening (the caller listens). */
export async function buildApi(control: Control, options: ApiOptions): Promise<FastifyInstance> {
  const opts = checkOptions(options)
  const handleError = errorHandler(opts.bodyLimit)
  const app = Fastify({
    ...(typeof opts.logger === 'object' ? { loggerInstance: opts.logger } : { logger: opts.logger }),
    bodyLimit: opts.bodyLimit,
    logController: new LogController({ disableRequestLogging: quietRequest }),
    // long parameters reach validation (and its 414) instead of failing routing as a bad URL
    routerOptions: { maxParamLength: MAX_URL_LENGTH },
    schemaErrorFormatter: formatSchemaErrors,
    // a malformed URL (bad %-encoding) never reaches a route; give it the one error shape too
    frameworkErrors: (error, request, reply) => handleError(error, request as FastifyRequest, reply as FastifyReply)
  }) as unknown as FastifyInstance
  app.setValidatorCompiler(validatorCompiler())
  quietRequestLogging(app)
  app.addHook('onRequest', checkUrlLength)
  app.addHook('preValidation', checkParameters)
  parseJsonWithDepthLimit(app)
  for (const schema of allSchemas) app.addSchema(schema)
  app.setErrorHandler(handleError)
  app.setNotFoundHandler((request) => {
    throw new BlastRouteNotFound(request.method, request.url.split('?')[0])
  })

  await registerDocs(app)
  const context: ApiContext = Object.freeze({ control, guard: createGuard(opts.token, opts.readAuth) })
  await app.register(healthRoutes, context)
  await app.register(boardRoutes, context)
  await app.register(async (api) => {
    await api.register(taskRoutes, context)
    await api.register(transientRoutes, context)
    await api.register(runRoutes, context)
    await api.register(manifestRoutes, context)
  }, { prefix: API_PREFIX })
  await app.ready()
  return app
}

export { resolveToken, TOKEN_FILE, type ResolvedToken } from './token.ts'
export { YAML_TYPES }
