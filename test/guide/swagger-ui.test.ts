// Swagger UI at /docs renders every route of the OpenAPI document, in a real headless Chromium
// (Debian's `chromium` package driven by playwright-core), with a full-page screenshot as evidence.
// Where /usr/bin/chromium is absent the file is skipped, saying so: `apt-get install -y chromium`.
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { CHROMIUM, CHROMIUM_ARGS } from '../../bench/lib/board-render.ts'
import { buildApi } from '../../runtime/api/index.ts'
import { startTestRuntime } from '../helpers/runtime.ts'

const MANIFEST = fileURLToPath(new URL('../fixtures/engine/chain.yaml', import.meta.url))
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

if (!existsSync(CHROMIUM)) t.plan(0, `${CHROMIUM} is not installed (apt-get install -y chromium); Swagger UI is not checked in a browser here`)
else await check()

async function check () {
  const { chromium } = await import('playwright-core')
  const runtime = await startTestRuntime(t, { manifest: MANIFEST })
  const app = await buildApi(runtime, { token: 'swagger-ui-test-token-0123456789' })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const doc = await (await fetch(`${base}/docs/json`)).json() as { paths: Record<string, Record<string, unknown>> }
  const routes = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map(method => `${method.toUpperCase()} ${path}`)).sort()

  const profile = await mkdtemp(join(tmpdir(), 'blast-chromium-'))
  t.teardown(() => rm(profile, { recursive: true, force: true }))
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: CHROMIUM_ARGS
  })
  t.teardown(() => browser.close())

  t.test('every route of the OpenAPI document is rendered', async t => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', error => errors.push(error.message))
    const started = performance.now()
    await page.goto(`${base}/docs`, { waitUntil: 'load' })
    await page.waitForSelector('.opblock-summary-path', { timeout: 30000 })
    // collapsed tags show no operations: open every one that is closed
    for (const tag of await page.locator('.opblock-tag-section:not(.is-open) .opblock-tag').all()) await tag.click()
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${routes.length}`, undefined, { timeout: 30000 })
    t.comment(`Swagger UI rendered ${routes.length} operations in ${Math.round(performance.now() - started)} ms`)

    const rendered = await page.$$eval('.opblock', blocks => blocks.map(block => {
      const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? ''
      const path = block.querySelector('.opblock-summary-path')
      return `${method} ${path?.getAttribute('data-path') ?? path?.textContent?.replace(/\u200b/g, '').trim() ?? ''}`
    }))
    t.same([...new Set(rendered)].sort(), routes, 'one rendered operation per route, and no other')
    const text = (await page.locator('body').innerText()).replace(/\u200b/g, '')
    for (const path of Object.keys(doc.paths)) t.ok(text.includes(path), `${path} is visible on the page`)
    t.match(text, /blast-tasks control API/, 'the title')
    t.same(errors, [], 'no script error on the page')

    const file = join(t.testdir(), 'swagger-ui.png')
    await page.screenshot({ path: file, fullPage: true })
    const png = await readFile(file)
    t.ok(png.length > 10000, `the screenshot has content (${png.length} bytes)`)
    t.same(png.subarray(0, 8), PNG, 'and is a PNG')
    await page.close()
  })
}
