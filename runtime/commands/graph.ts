// `blast-tasks graph [path] [--format mermaid|dot]`: the task graph of a manifest, for docs and
// reviews. Prints the diagnostics instead (exit 1) when the manifest has errors.
import { parseArgs } from 'node:util'
import { EXIT, usageError, type Io } from './io.ts'
import { GRAPH_FORMATS } from '../manifest/graph.ts'
import type { GraphFormat } from '../manifest/graph.ts'
import { formatDiagnostic, loadManifest, renderGraph } from '../manifest/index.ts'
import { DEFAULT_MANIFEST } from './validate.ts'

export const usage = `usage: blast-tasks graph [path] [--format mermaid|dot]

Prints the task graph of a manifest (default ./${DEFAULT_MANIFEST}). An edge runs from a
prerequisite to the task that waits on it and is labelled with the required status when
that is not "processed". System tasks are grouped apart.

options:
  --format      mermaid (default) or dot
  -h, --help    this help`

export async function run(args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { format: { type: 'string', default: 'mermaid' } } })
  } catch (error) {
    io.err(usageError('graph', usage, error))
    return EXIT.usage
  }
  const format = parsed.values.format
  if (!GRAPH_FORMATS.includes(format as GraphFormat)) {
    io.err(usageError('graph', usage, `--format must be one of ${GRAPH_FORMATS.join(', ')}; got "${format}"`))
    return EXIT.usage
  }
  if (parsed.positionals.length > 1) {
    io.err(usageError('graph', usage, `one manifest at a time; got ${parsed.positionals.length}`))
    return EXIT.usage
  }
  // the graph needs the manifest, not its plugins
  const { manifest, diagnostics } = await loadManifest(parsed.positionals[0] ?? DEFAULT_MANIFEST, { checkPlugins: false })
  if (!manifest) {
    for (const d of diagnostics) io.err(formatDiagnostic(d))
    return EXIT.failed
  }
  io.out(renderGraph(manifest, format as GraphFormat))
  return EXIT.ok
}
