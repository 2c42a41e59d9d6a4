// The status board at `/`: static files (runtime/board/) and preact + htm served from node_modules,
// so it works offline with no build step, and `/board/events`, a server-sent event each time the
// cluster's runs or counts move. The board itself only calls the public /api/v1 operations.
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Control } from '../control.ts'
import type { ApiContext } from './context.ts'

const BOARD_DIR = new URL('../board/', import.meta.url)
/** how often the board's change signal looks at the database: a finished run shows within 2 s */
export const PULSE_MS = 500

const read = (file: string) => readFileSync(new URL(file, BOARD_DIR), 'utf8')
// htm's standalone build is preact 10 + hooks + htm in one 13 kB ES module
const vendor = () => readFileSync(new URL(import.meta.resolve('htm/preact/standalone')), 'utf8')

const STATIC: Record<string, { type: string; body: () => string }> = {
  '/': { type: 'text/html; charset=utf-8', body: () => read('index.html') },
  '/board/app.js': { type: 'text/javascript; charset=utf-8', body: () => read('app.js') },
  '/board/board.css': { type: 'text/css; charset=utf-8', body: () => read('board.css') },
  '/board/vendor/preact-htm.js': { type: 'text/javascript; charset=utf-8', body: vendor }
}

// Everything the board loads comes from this server; no inline script, no CDN.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

/** One poll for all open boards: a signature of the newest run and the counts; a change is an event. */
class Pulse {
  #clients = new Set<ServerResponse>()
  #timer: NodeJS.Timeout | undefined
  #last = ''
  #control: Control
  constructor (control: Control) { this.#control = control }

  add (res: ServerResponse): void {
    this.#clients.add(res)
    res.on('close', () => {
      this.#clients.delete(res)
      if (this.#clients.size === 0) this.stop()
    })
    this.#timer ??= setInterval(() => void this.#tick(), PULSE_MS)
  }

  async #tick (): Promise<void> {
    let signature: string
    try {
      const [runs, tasks] = await Promise.all([this.#control.listRuns({ limit: 1 }), this.#control.listTasks()])
      signature = `${runs.items[0]?.id ?? ''}|${JSON.stringify(tasks.map((x) => [x.task.name, x.enabled.effective, x.counts, x.lastSweepAt]))}`
    } catch {
      return // stopping, or the database is away: the next tick tries again
    }
    if (signature === this.#last) return
    this.#last = signature
    for (const res of this.#clients) res.write(`event: change\ndata: ${JSON.stringify({ run: signature.split('|')[0] })}\n\n`)
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    for (const res of this.#clients) res.end()
    this.#clients.clear()
  }
}

export default async function boardRoutes (app: FastifyInstance, { control }: ApiContext): Promise<void> {
  for (const [url, file] of Object.entries(STATIC)) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(file.type).header('content-security-policy', CSP).header('cache-control', 'no-cache').send(file.body()))
  }
  const pulse = new Pulse(control)
  app.addHook('onClose', async () => pulse.stop())
  // open even under BLAST_API_READ_AUTH (EventSource sends no header): it says only "something moved"
  app.get('/board/events', { schema: { hide: true } }, (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    reply.raw.write('retry: 1000\n\n')
    pulse.add(reply.raw)
    request.raw.on('close', () => reply.raw.end())
  })
}
