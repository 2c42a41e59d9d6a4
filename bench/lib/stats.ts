// Small numeric helpers shared by the scenarios.

/** nearest-rank percentile (p in 0..100) of unsorted values */
export function percentile (values: readonly number[], p: number): number {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil(p / 100 * sorted.length))
  return sorted[Math.min(rank, sorted.length) - 1]
}

export const median = (values: readonly number[]) => percentile(values, 50)

export function round (value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })

/** 9903 → "9,903" */
export const int = (value: number) => grouped.format(value)
/** 3.14159 → "3.1" */
export const dec = (value: number) => oneDecimal.format(value)
/** milliseconds, one decimal under 100 */
export const ms = (value: number) => value < 100 ? `${dec(value)} ms` : `${int(value)} ms`
export const mb = (bytes: number) => `${int(bytes / 2 ** 20)} MB`
export const ratio = (value: number) => `${value.toFixed(2)}x`

/** time fn once, in milliseconds */
export async function time<T> (fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now()
  const value = await fn()
  return { ms: performance.now() - start, value }
}

/** polls fn until it returns true; throws after timeoutMs */
export async function until (fn: () => Promise<boolean>, { timeoutMs = 120_000, intervalMs = 20, what = 'condition' } = {}): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!await fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/** the highest resident set size seen while sampling (every 50 ms) */
export class RssPeak {
  #peak = process.memoryUsage.rss()
  #timer = setInterval(() => { this.#peak = Math.max(this.#peak, process.memoryUsage.rss()) }, 50).unref()

  stop (): number {
    clearInterval(this.#timer)
    return Math.max(this.#peak, process.memoryUsage.rss())
  }
}
