// Hot reload: watches the manifest's folder and every plugin's folder; an edit (debounced) reloads
// the manifest. A valid edit is applied without a restart; an invalid one is rejected with its
// diagnostics (logged, and shown by GET /api/v1/manifest) and the last good manifest keeps running.
import { watch, type FSWatcher } from 'node:fs'
import { basename, dirname, extname, resolve } from 'node:path'
import type { Logger } from './logger.ts'
import type { Runtime } from './runtime.ts'

const DEBOUNCE_MS = 150
/** what a plugin is written in */
const CODE = /\.(?:[cm]?[jt]s|json)$/

export class ManifestWatcher {
  #runtime: Runtime
  #log: Logger
  #watchers = new Map<string, FSWatcher>()
  #timer: NodeJS.Timeout | null = null
  #running = false

  constructor (runtime: Runtime, log: Logger) {
    this.#runtime = runtime
    this.#log = log
  }

  start (): void {
    this.#running = true
    this.#rewatch()
  }

  stop (): void {
    this.#running = false
    if (this.#timer) clearTimeout(this.#timer)
    for (const watcher of this.#watchers.values()) watcher.close()
    this.#watchers.clear()
  }

  /** the folders to watch follow the manifest: its own, and each plugin's */
  #rewatch (): void {
    const manifest = this.#runtime.plan.manifest
    const dirs = new Set([dirname(manifest.file), resolve(manifest.dir, 'plugins'), ...manifest.tasks.map(task => dirname(task.plugin))])
    for (const [dir, watcher] of this.#watchers) {
      if (!dirs.has(dir)) {
        watcher.close()
        this.#watchers.delete(dir)
      }
    }
    const manifestDir = dirname(manifest.file)
    const manifestName = basename(manifest.file)
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue
      // only the manifest, code, and a folder appearing beside the manifest count: a log or data
      // file written there is no edit (a reload per line appended would never settle)
      const relevant = (file: string | null) => file === null || CODE.test(file) ||
        (dir === manifestDir && (file === manifestName || extname(file) === ''))
      try {
        const watcher = watch(dir, { persistent: false, recursive: dir !== manifestDir }, (_event, file) => {
          if (relevant(file)) this.#changed()
        })
        watcher.on('error', () => { watcher.close(); this.#watchers.delete(dir) })
        this.#watchers.set(dir, watcher)
      } catch {
        // a plugin folder that does not exist yet: the manifest folder's watcher sees it appear
      }
    }
  }

  #changed (): void {
    if (!this.#running) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#runtime.reload()
        .then(result => { if (result.ok && this.#running) this.#rewatch() })
        .catch(err => this.#log.error({ err }, 'reload failed'))
    }, DEBOUNCE_MS)
  }
}
