// The worker side of the plugin probe (plugin-probe.ts): loads each plugin file it is given, in
// order, and reports what happened to each as plain data. Whatever a plugin's top-level code does —
// exit, loop, throw anything, leave a rejection unhandled — happens in this throwaway thread.
import { parentPort, workerData } from 'node:worker_threads'
import { PluginLoadError, describeThrown, loadPlugin } from '../plugin-loader.ts'
import { displayPath } from './diagnostics.ts'
import type { ProbeMessage } from './plugin-probe.ts'

const { files } = workerData as { files: readonly string[] }
const port = parentPort!
let current: string | null = null
const reported = new Set<string>()

function post (message: ProbeMessage): void {
  port.postMessage(message)
}

function fail (file: string, error: PluginLoadError): void {
  if (reported.has(file)) return
  reported.add(file)
  post({ type: 'failed', file, code: error.code, message: error.message, line: error.line, column: error.column })
}

// A rejection or a throw in a callback that surfaces while (or just after) a plugin loads is that
// plugin's: it would end a runtime that loaded it.
function stray (what: string) {
  return (reason: unknown): void => {
    if (current === null) return
    fail(current, new PluginLoadError('BLAST_PLUGIN_LOAD', current, `${displayPath(current)} ${what} while loading: ${describeThrown(reason)}`))
  }
}
process.on('unhandledRejection', stray('leaves a promise rejection unhandled'))
process.on('uncaughtException', stray('throws from a callback'))

for (const file of files) {
  current = file
  post({ type: 'loading', file })
  try {
    await loadPlugin(file)
  } catch (error) {
    fail(file, error instanceof PluginLoadError ? error : new PluginLoadError('BLAST_PLUGIN_LOAD', file, `${displayPath(file)} does not load: ${describeThrown(error)}`))
  }
  // let a rejection the module left behind surface before the next file is blamed for it
  await new Promise(resolve => setImmediate(resolve))
  await new Promise(resolve => setTimeout(resolve, 0))
  if (!reported.has(file)) {
    reported.add(file)
    post({ type: 'loaded', file })
  }
}
current = null
post({ type: 'done' })
