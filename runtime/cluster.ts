// One database, one manifest. The database records the manifest the cluster runs (meta
// `cluster_manifest`: a hash per task and one for the whole). A process whose manifest differs is
// refused at start while other processes are live, naming them and the differing tasks, unless it is
// told to take over; a process that applies a manifest (start, reload, take-over) records it; and a
// process that finds the record changed under it re-reads its own file: if that now matches it
// reloads, otherwise it stops with a line that says why (docs/operations.md, "Changing the manifest").
import { createHash } from 'node:crypto'
import { relative } from 'node:path'
import { BlastManifestConflict } from './errors.ts'
import type { Logger } from './logger.ts'
import type { Plan } from './plan.ts'
import type { Store } from './store.ts'

export const CLUSTER_MANIFEST = 'cluster_manifest'

export interface ClusterManifest {
  readonly hash: string
  /** a hash of each task's definition, by name */
  readonly tasks: Readonly<Record<string, string>>
  readonly worker: string
  readonly at: string
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)

/** what a manifest is, wherever its folder: plugin paths relative to the manifest, as written */
export function fingerprint (plan: Plan, worker: string): ClusterManifest {
  const { manifest } = plan
  const tasks: Record<string, string> = {}
  for (const task of manifest.tasks) tasks[task.name] = sha({ ...task, plugin: relative(manifest.dir, task.plugin) })
  const statuses = sha(manifest.statuses)
  return { hash: sha({ tasks, statuses }), tasks, worker, at: new Date().toISOString() }
}

/** the tasks two manifests disagree on, as `name (what)`; the statuses when only they differ */
export function differences (mine: ClusterManifest, theirs: ClusterManifest): string[] {
  const out: string[] = []
  for (const [name, hash] of Object.entries(mine.tasks)) {
    if (!Object.hasOwn(theirs.tasks, name)) out.push(`"${name}" (only in this manifest)`)
    else if (theirs.tasks[name] !== hash) out.push(`"${name}" (defined differently)`)
  }
  for (const name of Object.keys(theirs.tasks)) if (!Object.hasOwn(mine.tasks, name)) out.push(`"${name}" (only in the cluster's)`)
  return out.length ? out : ['the statuses']
}

export interface ClusterGuardOptions {
  store: Store
  workerId: string
  leaseSeconds: number
  log: Logger
}

export class ClusterGuard {
  #o: ClusterGuardOptions
  #timer: NodeJS.Timeout | null = null
  #mine: ClusterManifest | null = null
  #handling = false

  constructor (options: ClusterGuardOptions) {
    this.#o = options
  }

  /** throws BLAST_MANIFEST_CONFLICT when live processes run another manifest and takeOver is off */
  async check (plan: Plan, takeOver: boolean): Promise<void> {
    const theirs = await this.#o.store.getMeta<ClusterManifest>(CLUSTER_MANIFEST)
    const mine = fingerprint(plan, this.#o.workerId)
    if (!theirs || theirs.hash === mine.hash) return
    const live = await this.#o.store.livePeers(this.#o.leaseSeconds, this.#o.workerId)
    if (!live.length) return // nobody runs the recorded manifest any more: this one becomes the cluster's
    const tasks = differences(mine, theirs).join(', ')
    if (takeOver) {
      this.#o.log.warn({ live, tasks }, 'taking over: this manifest becomes the cluster\'s; the other processes apply it or stop')
      return
    }
    throw new BlastManifestConflict(`this manifest differs from the one the cluster runs in ${tasks}; live processes: ${live.join(', ')}. ` +
      'Give this process the same manifest, stop them, or start it with --take-over (BLAST_TAKE_OVER=true) to make its manifest the cluster\'s')
  }

  /** this process now runs plan: the cluster's manifest is its */
  async record (plan: Plan): Promise<void> {
    this.#mine = fingerprint(plan, this.#o.workerId)
    await this.#o.store.setMeta(CLUSTER_MANIFEST, this.#mine)
  }

  /** every lease / 3, compares the record with this process's manifest; onChange when another took over */
  watch (onChange: (mine: ClusterManifest, theirs: ClusterManifest) => Promise<void>): void {
    const every = Math.max(1, this.#o.leaseSeconds / 3) * 1000
    this.#timer = setInterval(() => {
      if (this.#handling || !this.#mine) return
      this.#handling = true
      void (async () => {
        const theirs = await this.#o.store.getMeta<ClusterManifest>(CLUSTER_MANIFEST)
        if (theirs && this.#mine && theirs.hash !== this.#mine.hash) await onChange(this.#mine, theirs)
      })().catch(err => this.#o.log.warn({ err: String(err) }, 'could not compare the cluster\'s manifest'))
        .finally(() => { this.#handling = false })
    }, every)
    this.#timer.unref()
  }

  stop (): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
