// Transient task "Luminosity distance": the computation is a Python script, run as a child process
// with the request as JSON on stdin and the answer as JSON on stdout. The plugin only carries data
// across and keeps the child within bounds: it is killed when ctx.signal aborts (the task's
// timeout_seconds, or the runtime stopping), its stdout is capped, and a non-zero exit becomes the
// task's failure with the end of its stderr.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TaskContext, TaskResult, Transient } from 'blast-tasks'

const SCRIPT = fileURLToPath(new URL('../python/luminosity_distance.py', import.meta.url))
/** the interpreter: BLAST_PYTHON (a virtualenv's python, say), else python3 on the PATH */
const PYTHON = globalThis.process.env.BLAST_PYTHON || 'python3'
/** the answer is JSON for the run's output: keep it well under the task's max_output_bytes */
const MAX_STDOUT = 512 * 1024
const STDERR_TAIL = 2000

export async function process (transient: Transient, ctx: TaskContext): Promise<TaskResult> {
  const request = JSON.stringify({ transient, task: ctx.task, attempt: ctx.attempt })
  const { code, signal, stdout, stderr } = await run(PYTHON, [SCRIPT], request, ctx.signal)
  if (stderr.trim()) ctx.log.info('python: %s', stderr.trim().slice(-STDERR_TAIL))
  if (code !== 0) {
    throw new Error(`${SCRIPT} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${stderr.trim().slice(-STDERR_TAIL) || 'no stderr'}`)
  }
  let answer: unknown
  try {
    answer = JSON.parse(stdout)
  } catch {
    throw new Error(`${SCRIPT} printed no JSON on stdout (${stdout.length} bytes: ${JSON.stringify(stdout.slice(0, 200))})`)
  }
  const { status, output } = (answer ?? {}) as { status?: unknown; output?: unknown }
  if (typeof status !== 'string') throw new Error(`${SCRIPT} answered without a "status" string`)
  return output === undefined ? status : { status, output }
}

interface Finished { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function run (command: string, args: string[], input: string, signal: AbortSignal): Promise<Finished> {
  return new Promise((resolve, reject) => {
    // `signal` kills the child (SIGKILL: a fit in C code may ignore SIGTERM) and rejects with an AbortError
    const child = spawn(command, args, { signal, killSignal: 'SIGKILL', stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.length > MAX_STDOUT) {
        child.kill('SIGKILL')
        reject(new Error(`${SCRIPT} wrote more than ${MAX_STDOUT} bytes on stdout; write large results to a file and return its path`))
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4 * STDERR_TAIL)
    })
    child.on('error', reject)
    child.on('close', (code, killed) => resolve({ code, signal: killed, stdout, stderr }))
    // the child may exit without reading all of its input; that is its answer, not a crash of ours
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })
}
