// Child processes of a benchmark: a phase of a scenario (so the runtime and its baseline each get a
// fresh process, their own peak RSS and their own profile), and the runtime itself as
// `blast-tasks start` with its API, the way users run it.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from './env.ts'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = join(ROOT, 'runtime', 'cli.ts')
const INSTRUMENT = join(ROOT, 'bench', 'lib', 'instrument.ts')

export interface Profiling {
  /** folder for the .cpuprofile */
  readonly dir: string
  /** file name of the profile (without folder) */
  readonly name: string
  /** the runtime's schema, to name its statements in dir/<name>.statements.json (PostgreSQL only) */
  readonly schema?: string
}

function profileArgs (profile: Profiling | undefined): { execArgv: string[]; env: Record<string, string> } {
  if (!profile) return { execArgv: [], env: {} }
  mkdirSync(profile.dir, { recursive: true })
  const execArgv = [`--cpu-prof`, `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}.cpuprofile`]
  // the instrument also marks where the measured part starts (SIGUSR2), for the profile too
  execArgv.push('--import', INSTRUMENT)
  const env: Record<string, string> = { BENCH_STATEMENTS_OUT: join(profile.dir, `${profile.name}.statements.json`) }
  if (profile.schema) env.BENCH_STATEMENTS_SCHEMA = profile.schema
  return { execArgv, env }
}

/**
 * Runs `script` again in a fresh process with BENCH_PHASE=phase and the input as JSON; the script's
 * phase handler (see phaseMain) writes its output, returned here.
 */
export async function runPhase<I, O> (script: string | URL, phase: string, input: I, profile?: Profiling): Promise<O> {
  const dir = tempDir('phase')
  const out = join(dir, 'out.json')
  const { execArgv, env } = profileArgs(profile)
  const file = script instanceof URL || script.startsWith('file:') ? fileURLToPath(script) : script
  try {
    const child = spawn(process.execPath, [...execArgv, file], {
      cwd: ROOT,
      env: { ...process.env, ...env, BENCH_PHASE: phase, BENCH_PHASE_INPUT: JSON.stringify(input), BENCH_PHASE_OUTPUT: out },
      stdio: ['ignore', 'inherit', 'inherit']
    })
    const code = await exited(child)
    if (code !== 0) throw new Error(`phase "${phase}" of ${file} exited with ${code ?? child.signalCode}`)
    return JSON.parse(readFileSync(out, 'utf8')) as O
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** the phase side of runPhase: when this process is phase `phase`, runs fn and exits */
export async function phaseMain<I, O> (phase: string, fn: (input: I) => Promise<O>): Promise<void> {
  if (process.env.BENCH_PHASE !== phase) return
  const { writeFileSync } = await import('node:fs')
  try {
    const output = await fn(JSON.parse(process.env.BENCH_PHASE_INPUT ?? 'null') as I)
    writeFileSync(process.env.BENCH_PHASE_OUTPUT!, JSON.stringify(output))
    process.exit(0)
  } catch (err) {
    console.error(err)
    process.exit(1)
  }
}

export function exited (child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', code => resolve(code))
  })
}

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** polls url until it answers 200; returns the milliseconds it took from `since` (performance.now()) */
export async function waitReady (url: string, since: number, child: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode} before ${url} answered`)
    try {
      const response = await fetch(url)
      if (response.status === 200) return performance.now() - since
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} not ready after ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

export interface Server {
  readonly url: string
  readonly child: ChildProcess
  /** process start to the first 200 from /ready, in ms */
  readonly readyMs: number
  /** SIGTERM, then SIGKILL if it has not exited after graceMs */
  stop (graceMs?: number): Promise<void>
}

/** spawns a node script that serves HTTP on PORT and waits for readyPath to answer 200 */
export async function startProcess (args: string[], env: Record<string, string>, options: { profile?: Profiling; readyPath?: string; quiet?: boolean } = {}): Promise<Server> {
  const port = await freePort()
  const { execArgv, env: profileEnv } = profileArgs(options.profile)
  const started = performance.now()
  const child = spawn(process.execPath, [...execArgv, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...profileEnv, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', options.quiet === false ? 'inherit' : 'ignore', 'inherit']
  })
  const url = `http://127.0.0.1:${port}`
  try {
    const readyMs = await waitReady(url + (options.readyPath ?? '/ready'), started, child)
    return {
      url,
      child,
      readyMs,
      async stop (graceMs = 15_000) {
        if (child.exitCode !== null || child.signalCode !== null) return
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        await exited(child)
        clearTimeout(timer)
      }
    }
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
}

export const TOKEN = 'bench-token-0123456789abcdef'

/** the runtime as users run it: `blast-tasks start --no-watch` with its API */
export function startRuntime (env: Record<string, string>, profile?: Profiling): Promise<Server> {
  return startProcess([CLI, 'start', '--no-watch'], { BLAST_API_TOKEN: TOKEN, ...env }, { profile })
}
