// Bearer-token access to the control API. Mutating routes always need the token; reads need it only
// with `readAuth`. The check runs in onRequest, before the body is read or validated, so a caller
// without the token learns nothing about the shape of the request.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, FastifySchema, onRequestHookHandler } from 'fastify'
import { BlastUnauthorized } from '../errors.ts'

export const SECURITY_SCHEME = 'bearerAuth'
export const WWW_AUTHENTICATE = 'Bearer realm="blast-tasks"'

const digest = (value: string) => createHash('sha256').update(value).digest()

/** Route options for an open read, a read that may need the token, and a write that needs it. */
export interface Guard {
  open<S extends FastifySchema>(schema: S): { schema: S }
  read<S extends FastifySchema>(schema: S): { schema: S; onRequest?: onRequestHookHandler }
  write<S extends FastifySchema>(schema: S): { schema: S & { security: Array<Record<string, string[]>> }; onRequest: onRequestHookHandler }
}

export function createGuard(token: string, readAuth: boolean): Guard {
  // Comparing digests gives equal lengths, so timingSafeEqual never throws and leaks no length.
  const expected = digest(token)
  const check: onRequestHookHandler = (request: FastifyRequest, _reply: FastifyReply, done) => {
    const header = request.headers.authorization
    if (header === undefined) {
      return done(new BlastUnauthorized('this operation needs the header "Authorization: Bearer <token>"; the token is in <data dir>/api-token (.blast/api-token by default) or BLAST_API_TOKEN'))
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
    if (match === null) {
      return done(new BlastUnauthorized('the Authorization header must read "Bearer <token>"'))
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      return done(new BlastUnauthorized('the bearer token is not valid'))
    }
    done()
  }
  const security: Array<Record<string, string[]>> = [{ [SECURITY_SCHEME]: [] }]
  const write = <S extends FastifySchema>(schema: S) => ({ schema: { ...schema, security }, onRequest: check })
  // An open operation says so with `security: []`: it overrides any document-wide requirement.
  const open = <S extends FastifySchema>(schema: S) => ({ schema: { ...schema, security: [] } })
  return {
    open,
    read: (schema) => (readAuth ? write(schema) : open(schema)),
    write
  }
}
