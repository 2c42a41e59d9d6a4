// What the API refuses before a route's own validation runs, each with its own code so a client can
// tell a bad URL from a bad body: an over-long URL (414), a URL that does not decode, text PostgreSQL
// cannot hold (U+0000) in a query or path parameter, a body that is not JSON, and JSON nested so deep
// that walking it recursively would overflow the stack.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { BlastBadUrl, BlastInvalidText, BlastJsonTooDeep, BlastMalformedBody, BlastUriTooLong } from '../errors.ts'
import { MAX_JSON_DEPTH, jsonDepthExceeds } from '../transient-rules.ts'

/** The longest URL (path and query) the API reads; Node's own header limit (16 KiB) is above it. */
export const MAX_URL_LENGTH = 4096
export { MAX_JSON_DEPTH }

/** an error of the table: a BLAST_* code and its HTTP status */
export interface Refusal extends Error { code: string; statusCode: number }

const shown = (url: string) => (url.length > 120 ? `${url.slice(0, 120)}…` : url)

/** 414 for a URL over the limit, else undefined. */
export function uriTooLong(url: string): Refusal | undefined {
  if (url.length <= MAX_URL_LENGTH) return undefined
  return new BlastUriTooLong(`the URL is ${url.length} characters long; the limit is ${MAX_URL_LENGTH}`)
}

/** The error for a URL the router could not route: too long, or not decodable (FST_ERR_MAX_PARAM_LENGTH, FST_ERR_BAD_URL). */
export function badUrl(url: string): Refusal {
  return uriTooLong(url) ?? new BlastBadUrl(shown(url), 'a %-escape is malformed or does not decode to UTF-8')
}

// fast-querystring keeps a component it cannot decode as it was, so a bad escape would pass as text.
function undecodableQuery(url: string): boolean {
  const start = url.indexOf('?')
  if (start < 0) return false
  for (const piece of url.slice(start + 1).split(/[&=]/)) {
    if (!piece.includes('%')) continue
    try {
      decodeURIComponent(piece)
    } catch {
      return true
    }
  }
  return false
}

function nulIn(part: 'querystring' | 'params', values: unknown): Refusal | undefined {
  if (values === null || typeof values !== 'object') return undefined
  for (const [key, value] of Object.entries(values)) {
    if (key.includes('\u0000')) return new BlastInvalidText(`${part} parameter name "${key.replaceAll('\u0000', '\\0')}"`)
    // a cursor is not text the database compares: its own check refuses it as BLAST_INVALID_CURSOR
    if (part === 'querystring' && key === 'cursor') continue
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && item.includes('\u0000')) return new BlastInvalidText(`${part}/${key}`)
    }
  }
  return undefined
}

/** onRequest, before the token is checked: a URL over the limit is refused before anything reads it. */
export function checkUrlLength(request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void {
  done(uriTooLong(request.raw.url ?? request.url))
}

/**
 * preValidation, after the token is checked (a caller without it learns nothing of the request's
 * shape): a query that does not decode, and U+0000 in a query or path parameter.
 */
export function checkParameters(request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void {
  const url = request.raw.url ?? request.url
  const error = (undecodableQuery(url) ? new BlastBadUrl(shown(url), 'a %-escape in the query is malformed or does not decode to UTF-8') : undefined) ??
    nulIn('params', request.params) ??
    nulIn('querystring', request.query)
  done(error)
}

/** Replaces the JSON parser with fastify's own (prototype poisoning refused) plus a depth limit. */
export function parseJsonWithDepthLimit(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    parse(request, text as string, (error: Error | null, value?: unknown) => {
      if (error) return done(new BlastMalformedBody(error.message), undefined)
      if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) return done(new BlastJsonTooDeep(MAX_JSON_DEPTH), undefined)
      done(null, value)
    })
  })
}
