// The status board at `/` in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
// over the example pipeline: it renders every task and transient, a failed cell opens its error, the
// toggle disables a task once the token is entered, and a transient posted meanwhile appears — and
// its finished run shows — without a reload (server-sent events). `npx tap -S` rewrites docs/board.png.
// Where /usr/bin/chromium is absent the file is skipped, saying so: `apt-get install -y chromium`.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { CHROMIUM, CHROMIUM_ARGS } from '../../bench/lib/board-render.ts'
import { buildApi } from '../../runtime/api/index.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const EXAMPLE = resolve(import.meta.dirname, '../../examples/pipeline')
const SCREENSHOT = resolve(import.meta.dirname, '../../docs/board.png')
const TOKEN = 'board-test-token-0123456789'
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

if (!existsSync(CHROMIUM)) t.plan(0, `${CHROMIUM} is not installed (apt-get install -y chromium); the board is not checked in a browser here`)
else await check()

async function check () {
  // Ingest inbox reads examples/pipeline/inbox when BLAST_INBOX is unset
  const inbox = process.env.BLAST_INBOX
  delete process.env.BLAST_INBOX
  t.teardown(() => { if (inbox !== undefined) process.env.BLAST_INBOX = inbox })

  const { chromium } = await import('playwright-core')
  const runtime = await startTestRuntime(t, { manifest: join(EXAMPLE, 'blast.tasks.yaml') })
  // a transient whose Absolute magnitude throws: an unknown band
  await runtime.createTransients([{ name: '2017bad', ra_deg: 197.450354, dec_deg: -23.381486, public_timestamp: '2017-08-18T00:00:00Z', data: { peak_mag: 17.1, peak_band: 'Q' } }])
  await waitFor(async () => {
    const page = await runtime.listTransients({ limit: 1000 })
    return page.items.length === 13 && page.items.every(item => item.processing_status !== 'processing')
  }, { timeoutMs: 180000, intervalMs: 200, what: 'the 12 sample transients and 2017bad settled' })

  const app = await buildApi(runtime, { token: TOKEN })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  const profile = await mkdtemp(join(tmpdir(), 'blast-chromium-'))
  t.teardown(() => rm(profile, { recursive: true, force: true }))
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: CHROMIUM_ARGS
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', error => errors.push(error.message))
  const outside: string[] = []
  page.on('request', request => { if (!request.url().startsWith(base)) outside.push(request.url()) })

  t.test('the board renders the example pipeline, offline', async t => {
    await page.goto(`${base}/`, { waitUntil: 'load' })
    await page.waitForSelector('#matrix tr[data-transient="2017gfo"]', { timeout: 30000 })
    const tasks = await page.$$eval('#tasks tr[data-task]', rows => rows.map(row => row.getAttribute('data-task')))
    t.same(tasks, runtime.plan.manifest.tasks.map(task => task.name), 'one row per task, in manifest order')
    const rows = await page.$$eval('#matrix tr[data-transient]', rows => rows.map(row => row.getAttribute('data-transient')))
    t.equal(rows.length, 13, 'the 12 sample transients and 2017bad')
    const validate = await page.locator('#tasks tr[data-task="Validate coordinates"]').innerText()
    t.match(validate, /processed: \d+/, 'counts by status')
    t.ok(await page.locator('#tasks tr[data-task="Validate coordinates"] .badge.t-success').count(), 'coloured by status type')
    t.match(await page.locator('#failures').innerText(), /2017bad[\s\S]*peak_band "Q"/, 'the failure feed shows the error')
    await page.waitForSelector('.live.on', { timeout: 10000 })
    // the docs' screenshot is rewritten with `npx tap -S test/board/board.test.ts`; otherwise only taken
    const png = await page.screenshot({ fullPage: true, ...(t.writeSnapshot ? { path: SCREENSHOT } : {}) })
    t.same(png.subarray(0, 8), PNG, 'a screenshot')
    t.same(outside, [], 'nothing loaded from outside the runtime')
    t.same(errors, [], 'no script error')
  })

  t.test('a failed cell opens its error', async t => {
    const column = runtime.plan.manifest.tasks.filter(task => task.kind === 'transient').findIndex(task => task.name === 'Absolute magnitude')
    await page.locator('#matrix tr[data-transient="2017bad"] td').nth(2 + column).locator('button').click()
    const panel = page.locator('#cell-panel')
    await panel.locator('.last-error').waitFor({ timeout: 10000 })
    t.match(await panel.locator('.last-error').innerText(), /peak_band "Q" is not one of/)
    t.match(await panel.innerText(), /2017bad · Absolute magnitude: failed/)
  })

  t.test('with the token, the toggle disables a task', async t => {
    await page.locator('#tasks tr[data-task="Host match"] input.toggle').click()
    await page.waitForSelector('#message', { timeout: 10000 })
    t.match(await page.locator('#message').innerText(), /token/, 'without the token: asked for it')
    t.equal((await runtime.getTask('Host match')).enabled.effective, true, 'still enabled')
    await page.fill('input[aria-label="API token"]', TOKEN)
    await page.locator('header form button').click()
    await page.locator('#tasks tr[data-task="Host match"] input.toggle').click()
    await waitFor(async () => !(await runtime.getTask('Host match')).enabled.effective, { what: 'Host match disabled' })
    await page.locator('#tasks tr[data-task="Host match"] input.toggle:not(:checked)').waitFor({ timeout: 10000 })
    t.pass('the board shows it off')
  })

  t.test('a posted transient appears live, with its finished run', async t => {
    const started = Date.now()
    await runtime.createTransients([{ name: '2024live', ra_deg: 10, dec_deg: 10 }])
    const cell = page.locator('#matrix tr[data-transient="2024live"] td').nth(2)
    await cell.locator('button', { hasText: 'processed' }).waitFor({ timeout: 30000 })
    t.comment(`2024live's Validate coordinates shown processed ${Date.now() - started} ms after the POST`)
    t.pass('shown without a reload')
    t.same(errors, [], 'no script error')
  })
}
