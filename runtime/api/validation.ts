// Request validation for the control API. Two ajv instances: the querystring and path parameters are
// text, so their types are coerced ("limit=5" → 5); a JSON body is typed already and is not (fastify's
// default would turn `"ra_deg": null` into 0). Unknown properties are refused, never stripped.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify'
import { isDateTime } from '../transient-rules.ts'
import { allSchemas } from './schemas.ts'


function makeAjv(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false, // all errors of a hostile body is a denial of service
    allowUnionTypes: true,
    addUsedSchema: false,
    strict: true
  })
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime })
  for (const schema of allSchemas) ajv.addSchema(schema)
  return ajv
}

export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = makeAjv('array')
  const strict = makeAjv(false)
  return ({ schema, httpPart }): ValidateFunction =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object)
}

// A body that may be one object or an array of them fails both branches of a oneOf: keep the errors
// of the branch the value was meant for (drop the root "must be object/array" of the other one).
function relevant(errors: readonly FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  const list = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if')
  const rootTypes = list.filter((e) => e.keyword === 'type' && e.instancePath === '')
  if (rootTypes.length > 0 && rootTypes.length < list.length) return list.filter((e) => !rootTypes.includes(e))
  return list
}

function describe(e: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${e.instancePath}`
  const params = (e as ErrorObject).params as Record<string, unknown>
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where} has unknown property "${String(params.additionalProperty)}"`
    case 'enum':
      return `${where} must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`
    default:
      return `${where} ${e.message}`
  }
}

/** fastify's schemaErrorFormatter: one message saying where and what, as `body/ra_deg must be <= 360`. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const list = relevant(errors)
  const types = list.filter((e) => e.keyword === 'type' && e.instancePath === '').map((e) => (e as ErrorObject).params.type)
  if (list.length > 1 && types.length === list.length) {
    return new Error(`${dataVar} must be ${types.join(' or ')}`)
  }
  return new Error([...new Set(list.map((e) => describe(e, dataVar)))].join('; '))
}
