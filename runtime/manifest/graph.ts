// The task graph as text, for `blast-tasks graph`: edges run from a prerequisite to the task that
// waits on it, labelled with the status required when that is not `processed`. Pure: no I/O.
import { BUILTIN_STATUSES } from '../types.ts'
import type { Manifest, Task } from '../types.ts'

export const GRAPH_FORMATS = ['mermaid', 'dot'] as const
export type GraphFormat = (typeof GRAPH_FORMATS)[number]

export function renderGraph(manifest: Manifest, format: GraphFormat = 'mermaid'): string {
  return format === 'dot' ? dot(manifest) : mermaid(manifest)
}

interface Edge {
  readonly from: Task
  readonly to: Task
  /** the required status, when it is not `processed` */
  readonly label: string | undefined
}

function edges(manifest: Manifest): Edge[] {
  const byName = new Map(manifest.tasks.map((t) => [t.name, t]))
  const list: Edge[] = []
  for (const task of manifest.tasks) {
    for (const [name, status] of Object.entries(task.prerequisites)) {
      const from = byName.get(name)
      if (from) list.push({ from, to: task, label: status === BUILTIN_STATUSES.processed ? undefined : status })
    }
  }
  return list
}

function mermaid(manifest: Manifest): string {
  // ids come from the position, not the name: mermaid reserves words such as `end`
  const ids = new Map(manifest.tasks.map((t, i) => [t, `t${i}`]))
  const text = (s: string): string => `"${s.replace(/"/g, '#quot;')}"`
  const node = (t: Task): string => `${ids.get(t)}[${text(t.name)}]`
  const lines = ['flowchart LR']
  const transient = manifest.tasks.filter((t) => t.kind === 'transient')
  const system = manifest.tasks.filter((t) => t.kind === 'system')
  for (const t of transient) lines.push(`  ${node(t)}`)
  if (system.length > 0) {
    lines.push('  subgraph system ["system tasks"]')
    for (const t of system) lines.push(`    ${node(t)}`)
    lines.push('  end')
  }
  for (const e of edges(manifest)) {
    const arrow = e.label === undefined ? '-->' : `-->|${text(e.label)}|`
    lines.push(`  ${ids.get(e.from)} ${arrow} ${ids.get(e.to)}`)
  }
  return lines.join('\n') + '\n'
}

function dot(manifest: Manifest): string {
  const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
  const lines = ['digraph tasks {', '  rankdir=LR;', '  node [shape=box];']
  const system = manifest.tasks.filter((t) => t.kind === 'system')
  for (const t of manifest.tasks) if (t.kind === 'transient') lines.push(`  ${q(t.name)};`)
  if (system.length > 0) {
    lines.push('  subgraph cluster_system {', '    label="system tasks";')
    for (const t of system) lines.push(`    ${q(t.name)};`)
    lines.push('  }')
  }
  for (const e of edges(manifest)) {
    lines.push(`  ${q(e.from.name)} -> ${q(e.to.name)}${e.label === undefined ? '' : ` [label=${q(e.label)}]`};`)
  }
  lines.push('}')
  return lines.join('\n') + '\n'
}
