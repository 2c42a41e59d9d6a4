// Scenario 6, manifest: validating a generated 1,000-task manifest — YAML with positions, the JSON
// Schema, the rules (names, statuses, cycles), plugin resolution and loading — and compiling it
// into a plan. Baseline in the same run: what a user would do instead, yaml.parse plus ajv against
// the same JSON Schema.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { parse } from 'yaml'
import { validateManifestText } from '../runtime/manifest/index.ts'
import { schema } from '../runtime/manifest/schema.ts'
import { compile } from '../runtime/plan.ts'
import { DATABASE, removeDir, tempDir } from './lib/env.ts'
import { main, target, type BenchOptions, type ScenarioResult } from './lib/report.ts'
import { int, median, ms, ratio, time } from './lib/stats.ts'
import { PROCESSED_PLUGIN, generatedManifest } from './lib/workflow.ts'

export async function manifest (options: BenchOptions): Promise<ScenarioResult> {
  const began = performance.now()
  const count = 1000
  const reps = options.quick ? 2 : 10
  const dir = tempDir('manifest')
  try {
    mkdirSync(join(dir, 'plugins'))
    writeFileSync(join(dir, 'plugins', 'processed.ts'), PROCESSED_PLUGIN)
    const text = generatedManifest(count)
    const file = join(dir, 'blast.tasks.yaml')
    writeFileSync(file, text)

    const validate = () => validateManifestText(text, { file, dir })
    const first = await time(validate)
    if (!first.value.manifest) throw new Error(`the generated manifest is invalid:\n${first.value.diagnostics.map(d => d.message).join('\n')}`)
    const runs: number[] = []
    for (let i = 0; i < reps; i++) runs.push((await time(validate)).ms)
    const withoutPlugins: number[] = []
    for (let i = 0; i < reps; i++) withoutPlugins.push((await time(() => validateManifestText(text, { file, dir, checkPlugins: false }))).ms)
    const compiles: number[] = []
    for (let i = 0; i < reps; i++) compiles.push((await time(async () => compile(first.value.manifest!))).ms)

    const ajv = new Ajv({ allErrors: true, strict: true })
    const check = ajv.compile(schema)
    const baseline: number[] = []
    for (let i = 0; i < reps + 1; i++) {
      baseline.push((await time(async () => {
        if (!check(parse(text))) throw new Error(ajv.errorsText(check.errors))
      })).ms)
    }
    baseline.shift() // the first includes JIT warm-up, as `first` does for ours

    const ours = median(runs)
    const bare = median(baseline)
    const line = `manifest    validate ${int(count)} tasks ${ms(ours)} (first ${ms(first.ms)})  yaml.parse + ajv ${ms(bare)}  ratio ${ratio(ours / bare)}  ` +
      `compile ${ms(median(compiles))}  [${int(Buffer.byteLength(text) / 1024)} KiB of YAML]`
    return {
      scenario: 'manifest',
      line,
      details: [`without loading plugins ${ms(median(withoutPlugins))}; ${first.value.diagnostics.length} diagnostics; ${first.value.manifest.tasks.length} tasks`],
      database: DATABASE,
      quick: options.quick,
      seconds: (performance.now() - began) / 1000,
      metrics: { tasks: count, validateMs: ours, firstMs: first.ms, withoutPluginsMs: median(withoutPlugins), compileMs: median(compiles), baselineMs: bare, ratio: ours / bare, runs, baseline },
      targets: [target('validate ms', ours, 'context (no target)', true)]
    }
  } finally {
    removeDir(dir)
  }
}

await main(import.meta, manifest)
