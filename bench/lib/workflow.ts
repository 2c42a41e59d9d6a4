// Manifests for the benchmarks (and for tests that want the same graphs): Blast's 17-task workflow,
// a one-task manifest, and a generated manifest of any size. Each is YAML text; writeProject puts
// one in a folder beside a plugin that returns `processed` at once; runsRecorded counts what a
// runtime has run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Counter } from 'prom-client'
import type { Runtime } from '../../runtime/runtime.ts'

/** Blast HEAD's transient tasks and their direct parents (docs: blast-semantics.md). */
export const BLAST_WORKFLOW: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Cutout download', []],
  ['Generate thumbnail', ['Cutout download']],
  ['Transient MWEBV', ['Cutout download']],
  ['Host match', ['Transient MWEBV']],
  ['Host information', ['Host match']],
  ['Host MWEBV', ['Host information']],
  ['Global aperture construction', ['Host information']],
  ['Global aperture photometry', ['Global aperture construction']],
  ['Validate global photometry', ['Global aperture photometry']],
  ['Local aperture photometry', ['Host information']],
  ['Validate local photometry', ['Local aperture photometry']],
  ['Crop transient images', ['Validate global photometry', 'Validate local photometry']],
  ['Generate thumbnail final', ['Generate thumbnail', 'Crop transient images']],
  ['Global host SED inference', ['Validate global photometry', 'Host MWEBV']],
  ['Generate thumbnail SED global', ['Global host SED inference']],
  ['Local host SED inference', ['Validate local photometry']],
  ['Generate thumbnail SED local', ['Local host SED inference']]
]

const PHOT_VALID_FAILED = new Set(['Validate global photometry', 'Validate local photometry'])

/** the longest chain of tasks in a graph: how many sweeps a polling design needs at least */
export function depthOf (graph: ReadonlyArray<readonly [string, readonly string[]]>): number {
  const parents = new Map(graph)
  const memo = new Map<string, number>()
  const depth = (name: string): number => {
    let known = memo.get(name)
    if (known === undefined) {
      known = 1 + Math.max(0, ...(parents.get(name) ?? []).map(depth))
      memo.set(name, known)
    }
    return known
  }
  return Math.max(...graph.map(([name]) => depth(name)))
}

const quote = (text: string) => JSON.stringify(text)

/** Blast's workflow as a manifest, every task on one plugin, each parent required `processed` */
export function blastManifest (plugin = 'plugins/processed.ts'): string {
  const lines = [
    '# Blast HEAD\'s 17 transient tasks (scimma/blast v1.13.1), every one on a plugin that returns at once.',
    'version: 1',
    'statuses:',
    '  - { message: phot valid failed, type: error }',
    'tasks:'
  ]
  for (const [name, parents] of BLAST_WORKFLOW) {
    lines.push(`  - name: ${name}`, `    plugin: ${plugin}`)
    if (PHOT_VALID_FAILED.has(name)) lines.push('    failed_status: phot valid failed')
    if (parents.length) lines.push(`    prerequisites: { ${parents.map(p => `${quote(p)}: processed`).join(', ')} }`)
  }
  return lines.join('\n') + '\n'
}

/** one task, no prerequisites: the runtime's per-run overhead and nothing else */
export function singleTaskManifest (plugin = 'plugins/processed.ts'): string {
  return `version: 1\ntasks:\n  - name: Process\n    plugin: ${plugin}\n`
}

/**
 * A manifest of `count` tasks forming a DAG: each task after the first needs one to three of the
 * fifty before it. Deterministic (a fixed linear congruential sequence), so every run validates
 * the same text.
 */
export function generatedManifest (count: number, plugin = 'plugins/processed.ts'): string {
  let seed = 42
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const name = (i: number) => `Step ${String(i).padStart(4, '0')}`
  const lines = [
    `# ${count} generated tasks for the manifest benchmark.`,
    'version: 1',
    'statuses:',
    '  - { message: no data, type: error, description: Nothing to work on. }',
    '  - { message: skipped, type: success, description: Done without running. }',
    'tasks:'
  ]
  for (let i = 0; i < count; i++) {
    lines.push(`  - name: ${name(i)}`, `    plugin: ${plugin}`, `    description: Generated step ${i}.`)
    if (i % 7 === 0) lines.push('    frequency_seconds: 300')
    if (i % 11 === 0) lines.push('    failed_status: no data')
    if (i === 0) continue
    const parents = new Set<number>()
    const wanted = 1 + Math.floor(next() * 3)
    while (parents.size < Math.min(wanted, i)) parents.add(Math.max(0, i - 1 - Math.floor(next() * 50)))
    lines.push(`    prerequisites: { ${[...parents].map(p => `${quote(name(p))}: processed`).join(', ')} }`)
  }
  return lines.join('\n') + '\n'
}

export const PROCESSED_PLUGIN = `// Returns at once: the benchmarks measure the runtime, not the work.
export function process () {
  return 'processed'
}
`

/** writes `manifest` as dir/blast.tasks.yaml with plugins/processed.ts beside it; returns the manifest path */
export function writeProject (dir: string, manifest: string): string {
  mkdirSync(join(dir, 'plugins'), { recursive: true })
  writeFileSync(join(dir, 'plugins', 'processed.ts'), PROCESSED_PLUGIN)
  const file = join(dir, 'blast.tasks.yaml')
  writeFileSync(file, manifest)
  return file
}

/**
 * The runs a runtime has recorded, read in-process (blast_runs_total grows after each group commit),
 * so that waiting for them costs the database nothing.
 */
export function runsRecorded (runtime: Runtime): () => Promise<number> {
  const runs = runtime.metrics.getSingleMetric('blast_runs_total') as Counter
  return async () => (await runs.get()).values.reduce((sum, v) => sum + v.value, 0)
}
