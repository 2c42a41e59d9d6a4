// The status board's first render, as an operator's browser sees it: Debian's Chromium (driven by
// playwright-core) opens `/` in a fresh context (empty cache, as a first visit) and the clock runs
// from navigation until the task table and a full first page of the matrix are on screen — every
// request the board makes for that (tasks, statuses, the last hour's runs, a page of transients and
// its registers) included. Null where /usr/bin/chromium is not installed.
import { existsSync } from 'node:fs'

export const CHROMIUM = '/usr/bin/chromium'
/** headless, and none of Chromium's own connections, which this machine's closed network refuses (the browser tests use them too) */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface RenderTimes {
  /** milliseconds from navigation to the task table and `rows` matrix rows rendered, one per visit */
  readonly ms: number[]
  readonly tasks: number
  readonly rows: number
}

export async function boardFirstRender (base: string, visits: number, rows = 25): Promise<RenderTimes | null> {
  if (!existsSync(CHROMIUM)) return null
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  try {
    const times: number[] = []
    let seen = { tasks: 0, rows: 0 }
    for (let i = 0; i < visits; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
      try {
        const page = await context.newPage()
        const errors: string[] = []
        page.on('pageerror', error => errors.push(error.message))
        const started = performance.now()
        await page.goto(`${base}/`, { waitUntil: 'commit' })
        // a function, not a string: the board's Content-Security-Policy forbids eval
        await page.waitForFunction((n: number) => {
          const document = (globalThis as any).document
          return document.querySelectorAll('#tasks tr[data-task]').length > 0 && document.querySelectorAll('#matrix tr[data-transient]').length >= n
        }, rows, { timeout: 60_000, polling: 'raf' })
        times.push(performance.now() - started)
        if (errors.length) throw new Error(`the board threw: ${errors.join('; ')}`)
        seen = {
          tasks: await page.locator('#tasks tr[data-task]').count(),
          rows: await page.locator('#matrix tr[data-transient]').count()
        }
      } finally {
        await context.close()
      }
    }
    return { ms: times, ...seen }
  } finally {
    await browser.close()
  }
}
