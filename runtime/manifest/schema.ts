// The JSON Schema is the source of truth for the manifest's shape and defaults. This module
// compiles it once and turns each ajv error into a diagnostic on the YAML node it is about.
import { Ajv } from 'ajv'
import type { ErrorObject } from 'ajv'
import schema from '../../schemas/blast.tasks.schema.json' with { type: 'json' }
import type { Path, PathSegment, Problem, Source } from './source.ts'
import { closest } from './suggest.ts'

export { schema }

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true })
const validate = ajv.compile(schema)

/** The defaults a task gets for what it leaves out, read from the schema. */
export const TASK_DEFAULTS = {
  failed_status: schema.definitions.task.properties.failed_status.default,
  frequency_seconds: schema.definitions.task.properties.frequency_seconds.default,
  enabled: schema.definitions.task.properties.enabled.default,
  timeout_seconds: schema.definitions.task.properties.timeout_seconds.default,
  retries: schema.definitions.task.properties.retries.default,
  memory_mb: schema.definitions.task.properties.memory_mb.default,
  max_output_bytes: schema.definitions.task.properties.max_output_bytes.default,
  concurrency: schema.definitions.task.properties.concurrency.default,
  description: schema.definitions.task.properties.description.default
} as const satisfies Record<string, string | number | boolean>

export const STATUS_DEFAULTS = {
  description: schema.definitions.status.properties.description.default
} as const

// Patterns are unreadable in a message; say what they mean instead.
const PATTERN_MEANING =
  'must contain a letter or digit, no control characters, and no spaces at the start or end'

export function checkSchema(source: Source): Problem[] {
  if (validate(source.data)) return []
  return (validate.errors ?? []).map((error) => schemaProblem(source, error))
}

function schemaProblem(source: Source, error: ErrorObject): Problem {
  const path = dataPath(source.data, error.instancePath)
  const value = valueAt(source.data, path)
  const what = label(source.data, path)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = String(params.additionalProperty)
      const allowed = Object.keys(propertiesOf(error.parentSchema))
      const guess = closest(property, allowed)
      const hint = guess === undefined ? '' : ` did you mean ${JSON.stringify(guess)}?`
      return {
        at: source.keyAt([...path, property]),
        severity: 'error',
        code: 'BLAST_UNKNOWN_PROPERTY',
        message: `unknown property ${JSON.stringify(property)} in ${what};${hint} allowed: ${allowed.join(', ')}`
      }
    }
    case 'required': {
      const property = String(params.missingProperty)
      const hint = path.length === 0 && property === 'version' ? ' (add `version: 1`)' : ''
      return {
        at: source.valueAt(path),
        severity: 'error',
        code: 'BLAST_MISSING_PROPERTY',
        message: `${what} is missing the required property ${JSON.stringify(property)}${hint}`
      }
    }
    default:
      return { at: source.valueAt(path), severity: 'error', code: 'BLAST_SCHEMA', message: `${what} ${requirement(error, value)}` }
  }
}

function requirement(error: ErrorObject, value: unknown): string {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'type':
      return `must be ${typeName(String(params.type))}; got ${describe(value)}`
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}; got ${describe(value)}`
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String)
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined
      const hint = guess === undefined ? '' : ` (did you mean ${JSON.stringify(guess)}?)`
      return `must be one of ${allowed.join(', ')}; got ${describe(value)}${hint}`
    }
    case 'minimum':
      return `must be at least ${String(params.limit)}; got ${describe(value)}`
    case 'maximum':
      return `must be at most ${String(params.limit)}; got ${describe(value)}`
    case 'minLength':
      return 'must not be empty'
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long; got ${String(value).length}`
    case 'pattern':
      return `${PATTERN_MEANING}; got ${describe(value)}`
    default:
      return error.message ?? `breaks the schema rule ${error.keyword}`
  }
}

function typeName(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    null: 'empty'
  }
  return type.split(',').map((t) => names[t] ?? t).join(' or ')
}

/** A value as a message quotes it: `the string "60"`, `1.5`, `a list`. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'a list'
  return 'a mapping'
}

/** What a data path is, in words: `task "Host match"`, `frequency_seconds of task "Host match"`. */
export function label(data: unknown, path: Path): string {
  if (path.length === 0) return 'the manifest'
  const [top, index, property, key] = path
  if ((top === 'tasks' || top === 'statuses') && typeof index === 'number') {
    const item = valueAt(data, [top, index])
    const field = top === 'tasks' ? 'name' : 'message'
    const id =
      isRecord(item) && typeof item[field] === 'string'
        ? `${top === 'tasks' ? 'task' : 'status'} ${JSON.stringify(item[field])}`
        : `${top === 'tasks' ? 'task' : 'status'} #${index + 1}`
    if (property === undefined) return id
    if (property === 'prerequisites' && key !== undefined) return `prerequisite ${JSON.stringify(String(key))} of ${id}`
    return `${String(property)} of ${id}`
  }
  return path.map(String).join('.')
}

function propertiesOf(parentSchema: unknown): Record<string, unknown> {
  return isRecord(parentSchema) && isRecord(parentSchema.properties) ? parentSchema.properties : {}
}

/** JSON pointer → data path, with numbers for list indexes. */
function dataPath(data: unknown, pointer: string): PathSegment[] {
  if (pointer === '') return []
  const path: PathSegment[] = []
  let value = data
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const step: PathSegment = Array.isArray(value) ? Number(segment) : segment
    path.push(step)
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PathSegment, unknown>)[step] : undefined
  }
  return path
}

export function valueAt(data: unknown, path: Path): unknown {
  let value = data
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment]
    else if (isRecord(value) && typeof segment === 'string' && Object.hasOwn(value, segment)) value = value[segment]
    else return undefined
  }
  return value
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
