// System task "Ingest inbox": loads every *.csv and *.json file in the inbox folder into the
// transient table. Files stay where they are; upsert by name makes a re-run a no-op, so dropping a
// corrected file in place is how a row is fixed.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
// `process` below is this module's export, so the global of the same name is imported explicitly
import { cwd, env } from 'node:process'
import type { SystemContext, TaskResult, TransientInput } from 'blast-tasks'
import { rowsFromCsv, rowsFromJson, type InboxRow } from './lib/inbox.ts'
import { CsvSyntaxError } from './lib/csv.ts'

interface Problem { where: string; reason: string }

/** the example's sample data, beside its plugins: found from wherever the runtime was started */
const SAMPLE_INBOX = fileURLToPath(new URL('../inbox', import.meta.url))

export async function process (ctx: SystemContext): Promise<TaskResult> {
  const dir = env.BLAST_INBOX ? resolve(env.BLAST_INBOX) : SAMPLE_INBOX
  const shown = (file: string): string => relative(cwd(), file) || file
  let names: string[]
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter(entry => entry.isFile() && /\.(csv|json)$/i.test(entry.name))
      .map(entry => entry.name)
      .sort()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    ctx.log.warn(`inbox ${shown(dir)} does not exist; nothing to ingest`)
    return { status: 'processed', output: { inbox: shown(dir), files: 0, rows: 0, created: 0, updated: 0, rejected: 0, problems: [] } }
  }

  const problems: Problem[] = []
  const accepted = new Map<string, { where: string; input: TransientInput }>()
  let rows = 0
  for (const name of names) {
    ctx.signal.throwIfAborted()
    const file = shown(join(dir, name))
    for (const row of parseFile(await readFile(join(dir, name), 'utf8'), file, problems)) {
      rows++
      if ('error' in row) {
        problems.push({ where: row.where, reason: row.error })
        continue
      }
      const earlier = accepted.get(row.input.name)
      if (earlier !== undefined) {
        // a later file (in name order) wins, so a correction can be dropped next to the original
        ctx.log.warn(`${row.where} ${row.input.name} also at ${earlier.where}; the later row wins`)
      }
      accepted.set(row.input.name, row)
    }
  }
  for (const p of problems) ctx.log.warn(`${p.where} rejected: ${p.reason}`)

  const { created, updated } = await upsert(ctx, [...accepted.values()], problems)
  const output = {
    inbox: shown(dir),
    files: names.length,
    rows,
    created: created.length,
    updated: updated.length,
    rejected: problems.length,
    problems
  }
  ctx.log.info(`ingested ${output.files} files: ${rows} rows, ${created.length} created, ` +
    `${updated.length} updated, ${problems.length} rejected`)
  return { status: 'processed', output }
}

function parseFile (text: string, file: string, problems: Problem[]): InboxRow[] {
  try {
    return file.toLowerCase().endsWith('.csv') ? rowsFromCsv(text, file) : rowsFromJson(text, file)
  } catch (err) {
    // an unreadable file is one problem, not a failed run: the other files still count
    const line = err instanceof CsvSyntaxError ? `:${err.line}` : ''
    problems.push({ where: `${file}${line}`, reason: (err as Error).message })
    return []
  }
}

/**
 * One upsert for the whole inbox. If the store refuses the batch (say one row breaks a rule the
 * runtime enforces), retry row by row so the good rows still land and the bad one is named.
 */
async function upsert (
  ctx: SystemContext,
  rows: Array<{ where: string; input: TransientInput }>,
  problems: Problem[]
): Promise<{ created: string[]; updated: string[] }> {
  if (rows.length === 0) return { created: [], updated: [] }
  try {
    return await ctx.transients.upsert(rows.map(r => r.input))
  } catch (err) {
    ctx.signal.throwIfAborted()
    ctx.log.warn(`batch upsert refused (${(err as Error).message}); retrying row by row`)
  }
  const result = { created: [] as string[], updated: [] as string[] }
  for (const row of rows) {
    try {
      const one = await ctx.transients.upsert([row.input])
      result.created.push(...one.created)
      result.updated.push(...one.updated)
    } catch (err) {
      ctx.signal.throwIfAborted()
      problems.push({ where: row.where, reason: (err as Error).message })
      ctx.log.warn(`${row.where} rejected by the store: ${(err as Error).message}`)
    }
  }
  return result
}
