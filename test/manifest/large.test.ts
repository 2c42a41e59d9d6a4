// A generated 1,000-task manifest validates with no errors, with and without plugin checks. The
// time is printed, not asserted: the machine is shared.
import { join } from 'node:path'
import t from 'tap'
import { loadManifest } from '../../runtime/manifest/index.ts'

const TASKS = 1000

// A binary tree of transient tasks, each also requiring its predecessor (so a long chain runs
// through it), on three shared plugins; a few system tasks beside.
function manifestText(): string {
  const lines = ['version: 1', 'statuses:', '  - { message: skipped, type: warning }', 'tasks:']
  for (let i = 0; i < TASKS; i++) {
    lines.push(`  - name: Step ${i}`, `    plugin: plugins/step-${i % 3}.ts`, `    frequency_seconds: ${30 + (i % 5)}`)
    const prerequisites = new Map<string, string>([[`Step ${i}`, 'not processed']])
    if (i > 0) prerequisites.set(`Step ${Math.floor((i - 1) / 2)}`, 'processed')
    if (i > 1) prerequisites.set(`Step ${i - 1}`, i % 7 === 0 ? 'skipped' : 'processed')
    lines.push('    prerequisites:', ...[...prerequisites].map(([k, v]) => `      ${k}: ${v}`))
  }
  for (let i = 0; i < 5; i++) lines.push(`  - { name: Sweep ${i}, kind: system, plugin: plugins/step-0.ts }`)
  return lines.join('\n') + '\n'
}

const plugin = "import type { TaskResult } from 'blast-tasks'\nexport async function process(): Promise<TaskResult> { return 'processed' }\n"

t.test(`${TASKS} tasks`, async (t) => {
  const dir = t.testdir({
    'blast.tasks.yaml': manifestText(),
    plugins: { 'step-0.ts': plugin, 'step-1.ts': plugin, 'step-2.ts': plugin }
  })
  const file = join(dir, 'blast.tasks.yaml')

  for (const checkPlugins of [false, true]) {
    const start = performance.now()
    const { manifest, diagnostics } = await loadManifest(file, { checkPlugins })
    const ms = performance.now() - start
    t.comment(`${TASKS + 5} tasks, checkPlugins ${checkPlugins}: ${ms.toFixed(0)} ms`)
    t.same(diagnostics, [], `no diagnostics (checkPlugins ${checkPlugins})`)
    t.equal(manifest?.tasks.length, TASKS + 5)
    t.same(manifest?.tasks[14]!.prerequisites, { 'Step 6': 'processed', 'Step 13': 'skipped' })
  }
})

t.test(`a cycle closing a ${TASKS}-task chain is reported once`, async (t) => {
  const lines = ['version: 1', 'tasks:']
  for (let i = 0; i < TASKS; i++) {
    lines.push(`  - name: T${i}`, `    prerequisites: { T${(i + 1) % TASKS}: processed }`)
  }
  const dir = t.testdir({ 'blast.tasks.yaml': lines.join('\n') })
  const { diagnostics } = await loadManifest(join(dir, 'blast.tasks.yaml'), { checkPlugins: false })
  t.equal(diagnostics.length, 1)
  t.match(diagnostics[0], { line: 4, column: 22, code: 'BLAST_CYCLE', message: /^prerequisites form a cycle: T0 -> T1 -> T2 -> .* -> T999 -> T0 / })
})
