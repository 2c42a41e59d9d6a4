// `blast-tasks validate [path]`: every problem of a manifest and its plugins, one per line, then a
// summary. Exits 1 when there is an error, 0 otherwise (warnings alone pass).
import { parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import { displayPath, summarize } from '../manifest/diagnostics.ts'
import { formatDiagnostic, loadManifest } from '../manifest/index.ts'

export const DEFAULT_MANIFEST = 'blast.tasks.yaml'

export const usage = `usage: blast-tasks validate [path] [--no-plugins] [--json]

Checks a manifest (default ./${DEFAULT_MANIFEST}) against the schema and the rules, loads
every plugin and checks that it exports only process. Prints each problem as
file:line:column severity CODE message, then a summary. Exit code 1 on any error.

options:
  --no-plugins  do not load plugins (the schema and the rules only)
  --json        print {"valid", "diagnostics"} as JSON instead
  -h, --help    this help`

export async function run(args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      allowNegative: true,
      options: { plugins: { type: 'boolean', default: true }, json: { type: 'boolean', default: false } }
    })
  } catch (error) {
    io.err(usageError('validate', usage, error))
    return EXIT.usage
  }
  if (parsed.positionals.length > 1) {
    io.err(usageError('validate', usage, `one manifest at a time; got ${parsed.positionals.length}`))
    return EXIT.usage
  }
  const file = parsed.positionals[0] ?? DEFAULT_MANIFEST
  const { manifest, diagnostics } = await loadManifest(file, { checkPlugins: parsed.values.plugins })
  if (parsed.values.json) {
    io.out(JSON.stringify({ valid: manifest !== null, diagnostics }, null, 2))
  } else {
    for (const d of diagnostics) io.out(formatDiagnostic(d))
    const counts = manifest ? `; ${manifest.tasks.length} tasks, ${manifest.statuses.length} statuses` : ''
    io.out(`${displayPath(file)}: ${summarize(diagnostics)}${counts}`)
  }
  return manifest ? EXIT.ok : EXIT.failed
}
