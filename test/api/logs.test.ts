// Logs a person can read: pretty lines on a terminal (JSON otherwise), probes and scrapes at debug
// only, one debug line per finished run, a periodic per-task progress line at info, and a repeated
// identical warning written once per window with how many were held back.
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { createLogger } from '../../runtime/logger.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))

function capture () {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done() } })
  const records = () => lines.map(line => JSON.parse(line) as Record<string, unknown> & { msg: string; level: number })
  return { lines, stream, records }
}

t.test('a repeated identical warning is throttled, then reports how many were held back', async t => {
  const out = capture()
  const log = createLogger('info', { destination: out.stream, throttleMs: 200 })
  for (let i = 0; i < 5; i++) log.warn({ file: 'inbox/a.csv', line: 3 }, 'row skipped')
  log.warn({ file: 'inbox/a.csv', line: 4 }, 'row skipped')
  log.child({ task: 'Ingest inbox' }).warn({ file: 'inbox/a.csv', line: 3 }, 'row skipped')
  for (let i = 0; i < 3; i++) log.info('not throttled')
  t.same(out.records().map(r => `${r.msg} ${r.line ?? ''} ${r.task ?? ''}`.trim()),
    ['row skipped 3', 'row skipped 4', 'row skipped 3 Ingest inbox', 'not throttled', 'not throttled', 'not throttled'])
  await new Promise(resolve => setTimeout(resolve, 250))
  log.warn({ file: 'inbox/a.csv', line: 3 }, 'row skipped')
  t.match(out.records().at(-1), { msg: 'row skipped', line: 3, repeated: 4 }, 'after the window: once, with the count held back')
  log.warn({ file: 'inbox/a.csv', line: 3 }, 'row skipped')
  t.equal(out.records().length, 7, 'and held back again')
})

t.test('pretty on a terminal, JSON otherwise', async t => {
  const out = capture()
  createLogger('info', { destination: out.stream, pretty: true }).info({ task: 'Host match' }, 'hello')
  t.match(out.lines[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello$/)
  t.match(out.lines[1], /task: "Host match"/)
  t.throws(() => JSON.parse(out.lines[0]))
})

t.test('probes at debug; a finished run at debug; progress at info', async t => {
  const out = capture()
  const log = createLogger('debug', { destination: out.stream })
  const runtime = await startTestRuntime(t, { manifest: MANIFEST, logger: log })
  const app = await buildApi(runtime, { token: 'logs-test-token-0123456789', logger: log })
  t.teardown(() => app.close())

  await runtime.createTransients([{ name: 'log1', ra_deg: 1, dec_deg: 1 }])
  await waitFor(async () => (await runtime.getTransient('log1')).processing_status === 'completed', { what: 'log1 completed' })
  const finished = out.records().filter(r => r.msg === 'run finished' && r.transient === 'log1')
  t.same(finished.map(r => `${r.task} ${r.status} ${r.level}`).sort(),
    ['Check input processed 20', 'Step one processed 20', 'Step three processed 20', 'Step two processed 20'], 'one debug line per finished run')
  t.type(finished[0]?.durationMs, 'number')

  const before = out.lines.length
  for (const url of ['/health', '/ready', '/metrics', '/', '/board/app.js']) t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url)
  const probeLines = out.records().slice(before)
  t.same(probeLines.map(r => `${r.level} ${r.msg} ${r.url}`), [
    '20 request completed /health', '20 request completed /ready', '20 request completed /metrics', '20 request completed /', '20 request completed /board/app.js'
  ], 'one debug line each, and no info')
  const apiBefore = out.lines.length
  await app.inject({ method: 'GET', url: '/api/v1/tasks' })
  t.same(out.records().slice(apiBefore).map(r => `${r.level} ${r.msg}`), ['30 incoming request', '30 request completed'], 'API calls stay at info')

  const progressBefore = out.lines.length
  await runtime.createTransients([{ name: 'log2', ra_deg: 1, dec_deg: 1 }])
  t.equal(await runtime.progress.tick(), 4, 'the first look: every task has work (log2 not processed)')
  await waitFor(async () => (await runtime.getTransient('log2')).processing_status === 'completed', { what: 'log2 completed' })
  t.equal(await runtime.progress.tick(), 4, 'each task moved: a line each')
  t.equal(await runtime.progress.tick(), 0, 'nothing moved: no line')
  const progress = out.records().slice(progressBefore).filter(r => String(r.msg).startsWith('progress'))
  t.match(progress.at(-1), { level: 30, task: 'Check input', done: 2, total: 2, counts: { processed: 2 }, msg: 'progress Check input: 2/2' })
})
