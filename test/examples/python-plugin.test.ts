// examples/python-plugin: a plugin that runs a Python script with JSON on stdin and stdout. Called
// directly (an answer, a status of its own, a crash, cancellation that kills the child), then run by
// a real runtime on the example's manifest (embedded database, or PostgreSQL with DATABASE_URL).
// Skipped, with the reason, where python3 is not installed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import t from 'tap'
import type { TaskContext, Transient } from '../../runtime/index.ts'
import { process as distance } from '../../examples/python-plugin/plugins/luminosity-distance.ts'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'

const PYTHON = process.env.BLAST_PYTHON || 'python3'
const found = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' })
const skip = found.error || found.status !== 0 ? `${PYTHON} is not installed here (set BLAST_PYTHON to an interpreter to run this test)` : false

const MANIFEST = 'examples/python-plugin/blast.tasks.yaml'

function transient (name: string, redshift: number | null, data: Record<string, unknown> = {}): Transient {
  return { name, ra_deg: 210.774, dec_deg: 54.274, public_timestamp: null, redshift, data, tasks: {} }
}

function context (signal = new AbortController().signal): TaskContext & { logged: string[] } {
  const logged: string[] = []
  const log = (...args: unknown[]) => { logged.push(args.map(String).join(' ')) }
  return { logged, signal, task: 'Luminosity distance', attempt: 1, log: { debug: log, info: log, warn: log, error: log } as unknown as TaskContext['log'] }
}

/** the children of this process still running the example's script (Linux /proc) */
function scriptChildren (): number[] {
  if (!existsSync('/proc/self/stat')) return []
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('luminosity_distance.py')) pids.push(Number(entry))
    } catch {
      // the process ended while we looked
    }
  }
  return pids
}

t.test('the plugin answers with the script\'s status and output', { skip }, async (t) => {
  const ctx = context()
  t.same(await distance(transient('2011fe', 0.0008), ctx), {
    status: 'processed',
    output: { luminosity_distance_mpc: 3.428, h0: 70, omega_m: 0.3 }
  })
  t.same(ctx.logged, ['python: %s 2011fe: z = 0.0008'], 'the script\'s stderr goes to ctx.log')
  t.equal(await distance(transient('nored', null), context()), 'no redshift', 'a status of its own, declared by the manifest')
})

t.test('a crash of the script is the run\'s error, with the end of its stderr', { skip }, async (t) => {
  // a redshift of the wrong type makes the script raise
  const bad = { ...transient('bad', 0.1), redshift: 'high' as unknown as number }
  await t.rejects(distance(bad, context()), /luminosity_distance\.py exited with code 1: Traceback .*TypeError/s)
})

t.test('ctx.signal kills the child', { skip }, async (t) => {
  const controller = new AbortController()
  const running = distance(transient('slow', 0.1, { simulate_seconds: 600 }), context(controller.signal))
  await waitFor(() => scriptChildren().length === 1, { what: 'the script to start' })
  controller.abort()
  await t.rejects(running, { name: 'AbortError' })
  await waitFor(() => scriptChildren().length === 0, { what: 'the script to be gone' })
  t.pass('no script left running')
})

t.test('a runtime runs the example manifest', { skip }, async (t) => {
  const runtime = await startTestRuntime(t, { manifest: MANIFEST })
  await runtime.createTransients([
    { name: '2011fe', ra_deg: 210.774, dec_deg: 54.274, redshift: 0.0008 },
    { name: 'nored', ra_deg: 10, dec_deg: -5 }
  ])
  const state = async (name: string) => (await runtime.getTransient(name)).tasks.find(task => task.task === 'Luminosity distance')
  const done = await waitFor(async () => { const s = await state('2011fe'); return s?.status === 'processed' && s }, { what: '2011fe processed' })
  t.same(done.output, { luminosity_distance_mpc: 3.428, h0: 70, omega_m: 0.3 })
  t.equal((await waitFor(async () => { const s = await state('nored'); return s?.status === 'no redshift' && s })).status, 'no redshift')
})
