// `blast-tasks status` against a running runtime's API over a real socket: the table, --json, and
// --watch with progress bars; a runtime that is not there is a clear error.
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { buildApi } from '../../runtime/api/index.ts'
import { main, type Io } from '../../runtime/cli.ts'
import { table } from '../../runtime/commands/status.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('./fixtures/blast.tasks.yaml', import.meta.url))
const runtime = await startTestRuntime(t, { manifest: MANIFEST })
const app = await buildApi(runtime, { token: 'status-test-token-0123456789', readAuth: true })
t.teardown(() => app.close())
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
const saved = process.env.BLAST_API_TOKEN
process.env.BLAST_API_TOKEN = 'status-test-token-0123456789' // reads need it here (readAuth)
t.teardown(() => { if (saved === undefined) delete process.env.BLAST_API_TOKEN; else process.env.BLAST_API_TOKEN = saved })

async function status (...args: string[]) {
  let out = ''
  let err = ''
  const io: Io = { out: text => { out += `${text}\n` }, err: text => { err += `${text}\n` } }
  const code = await main(['status', ...args], io)
  return { code, out, err }
}

await runtime.createTransients([1, 2, 3, 4].map(i => ({ name: `s${i}`, ra_deg: i, dec_deg: 1, data: { bad: i === 4 } })))
await waitFor(async () => (await runtime.listTransients({ limit: 10 })).items.every(x => x.processing_status !== 'processing'), { what: 'settled' })

t.test('--json: every task with its counts', async t => {
  const { code, out, err } = await status('--url', url, '--json')
  t.equal(code, 0, err)
  const json = JSON.parse(out)
  t.same(json.tasks.map((x: { name: string }) => x.name), ['Step one', 'Step two', 'Step three', 'Check input', 'Heartbeat'])
  t.match(json.tasks[3], { name: 'Check input', kind: 'transient', enabled: true, counts: { processed: 3, 'bad input': 1 } })
  t.match(json.tasks[4], { name: 'Heartbeat', kind: 'system', enabled: false, counts: {} })
})

t.test('the table', async t => {
  const { code, out } = await status('--url', url)
  t.equal(code, 0)
  const lines = out.trimEnd().split('\n')
  t.match(lines[0], /^TASK +ENABLED +DONE +COUNTS$/)
  t.match(lines.find(l => l.startsWith('Check input')), /^Check input +on +4\/4 +bad input: 1 {2}processed: 3$/)
  t.match(lines.find(l => l.startsWith('Heartbeat')), /^Heartbeat +off +system/)
  t.notMatch(out, /\x1b\[/, 'no colour off a terminal')
})

t.test('--watch draws with progress bars, --times times', async t => {
  const { code, out } = await status('--url', url, '--watch', '--interval', '0.05', '--times', '2')
  t.equal(code, 0)
  t.equal(out.match(/^TASK/gm)?.length, 2, 'two draws')
  t.match(out, /Step one +on +4\/4 +\[#{14}\] 100% +processed: 4/)
})

t.test('the bar and colours of the table', async t => {
  const text = table([{ name: 'A', kind: 'transient', enabled: { effective: true }, counts: { 'not processed': 3, processed: 1 }, last_sweep_at: null, next_sweep_at: null }],
    new Map([['processed', 'success'], ['not processed', 'blank']]), { colour: true, bars: true })
  t.match(text, /1\/4 +\[#{4}\.{10}\]  25%/)
  t.match(text, /\x1b\[32mprocessed: 1\x1b\[0m/, 'success in green')
})

t.test('no runtime there: a clear error', async t => {
  const { code, err } = await status('--url', 'http://127.0.0.1:9', '--json')
  t.equal(code, 1)
  t.match(err, /cannot read http:\/\/127\.0\.0\.1:9\/api\/v1\/tasks.*\n.*is the runtime running/)
})

t.test('bad arguments', async t => {
  t.equal((await status('--interval', '0')).code, 2)
  t.equal((await status('--nope')).code, 2)
})
