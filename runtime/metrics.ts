// Cluster-wide gauges read from the database on each scrape, so every process reports the same truth
// whichever one is scraped: the backlog per task (ready to run, ended in an error-type status), the
// runs in flight, and the last success of each system task. The counts come from the kept counts of
// migration 005 (constant time); `ready` counts the partial index task_status_ready, so its cost is
// the backlog itself. Per-process series (runs by outcome, durations, process_*/nodejs_*) stay with
// their owners; Prometheus sums those over instances, and takes max() of these.
import { Gauge, type Registry } from 'prom-client'
import type { Queryable } from './database.ts'
import type { Plan } from './plan.ts'
import type { StoreSql } from './sql.ts'

export interface ClusterMetricsOptions {
  registry: Registry
  db: Queryable
  sql: StoreSql
  plan: () => Plan
}

type Count = { task: string; status: string; n: number }

export function registerClusterMetrics ({ registry, db, sql, plan }: ClusterMetricsOptions): void {
  // one read of the registers serves the three gauges of a scrape
  let pending: Promise<{ counts: Count[]; ready: Array<{ task: string; n: number }> }> | null = null
  const read = () => {
    pending ??= Promise.all([db.query<Count>(sql.statusCounts), db.query<{ task: string; n: number }>(sql.readyCounts)])
      .then(([counts, ready]) => ({ counts, ready }))
      .finally(() => { setImmediate(() => { pending = null }) })
    return pending
  }

  new Gauge({
    name: 'blast_backlog',
    help: 'Registers per transient task waiting on the cluster: ready (not processed, prerequisites hold) or ended in an error-type status',
    labelNames: ['task', 'state'],
    registers: [registry],
    collect: async function (this: Gauge) {
      const { counts, ready } = await read()
      const p = plan()
      for (const planned of p.transientTasks) {
        const name = planned.name
        this.set({ task: name, state: 'ready' }, ready.find(r => r.task === name)?.n ?? 0)
        const errors = counts.filter(c => c.task === name && p.statusTypes.get(c.status) === 'error').reduce((a, c) => a + c.n, 0)
        this.set({ task: name, state: 'error' }, errors)
      }
    }
  })

  new Gauge({
    name: 'blast_runs_in_flight',
    help: 'Runs of transient tasks in flight across the cluster (registers in `processing`)',
    labelNames: ['task'],
    registers: [registry],
    collect: async function (this: Gauge) {
      const { counts } = await read()
      for (const planned of plan().transientTasks) {
        this.set({ task: planned.name }, counts.find(c => c.task === planned.name && c.status === 'processing')?.n ?? 0)
      }
    }
  })

  new Gauge({
    name: 'blast_system_task_last_success_timestamp_seconds',
    help: 'When each system task last finished with a success-type status (Unix seconds; absent until it has)',
    labelNames: ['task'],
    registers: [registry],
    collect: async function (this: Gauge) {
      const p = plan()
      const successes = [...p.statusTypes].filter(([, type]) => type === 'success').map(([message]) => message)
      const tasks = p.systemTasks.map(t => t.name)
      if (tasks.length === 0) return
      const rows = await db.query<{ task: string; t: number | null }>(sql.systemLastSuccess, [tasks, successes])
      for (const row of rows) if (row.t !== null) this.set({ task: row.task }, row.t)
    }
  })
}
