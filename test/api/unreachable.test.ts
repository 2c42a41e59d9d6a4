// A database that is away (a restarting server) answers 503 BLAST_NOT_READY, not a 500: the runtime
// reconnects by itself. The engine's error here is the one node-postgres raises, made by a real
// connection attempt to a port nothing listens on.
import { createServer } from 'node:net'
import pg from 'pg'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import type { Control } from '../../runtime/control.ts'

const closedPort = await new Promise<number>(resolve => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number }
    server.close(() => resolve(port))
  })
})
const refused = await new pg.Client({ host: '127.0.0.1', port: closedPort, user: 'x', database: 'x' }).connect().then(() => null, (err: Error) => err)

t.test('a refused database connection is 503 BLAST_NOT_READY', async t => {
  t.match(refused, { code: 'ECONNREFUSED' }, 'node-postgres refused the connection')
  const control = { listTasks: () => Promise.reject(refused) } as unknown as Control
  const app = await buildApi(control, { token: 'x'.repeat(32) })
  t.teardown(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/api/v1/tasks' })
  t.equal(response.statusCode, 503)
  t.match(response.json(), { statusCode: 503, code: 'BLAST_NOT_READY', error: 'Service Unavailable' })
  t.match(response.json().message, /unable to reach its database/)
})
