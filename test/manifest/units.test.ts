// The small pure pieces: slugs, suggestions, paths, formatting and ordering.
import { resolve } from 'node:path'
import t from 'tap'
import { diagnostic, displayPath, sortDiagnostics, summarize } from '../../runtime/manifest/diagnostics.ts'
import { formatDiagnostic, formatDiagnostics, slugify } from '../../runtime/manifest/index.ts'
import { closest, didYouMean, editDistance } from '../../runtime/manifest/suggest.ts'

t.test('slugify', async (t) => {
  const cases: Array<[string, string]> = [
    ['Host match', 'host-match'],
    ['Generate thumbnail SED global', 'generate-thumbnail-sed-global'],
    ['Transient MWEBV', 'transient-mwebv'],
    ['  --Host__match!! ', 'host-match'],
    ['Step 2.5 (beta)', 'step-2-5-beta'],
    ['Détection rapide', 'détection-rapide'],
    ['---', ''],
    ['a', 'a']
  ]
  for (const [name, slug] of cases) t.equal(slugify(name), slug, name)
})

t.test('edit distance and suggestions', async (t) => {
  t.equal(editDistance('', 'abc'), 3)
  t.equal(editDistance('abc', ''), 3)
  t.equal(editDistance('procesed', 'processed'), 1)
  t.equal(editDistance('hsot', 'host'), 1, 'a transposition costs one')
  t.equal(editDistance('kitten', 'sitting'), 3)
  t.equal(closest('frequency', ['name', 'frequency_seconds']), 'frequency_seconds', 'a part of the real name')
  t.equal(closest('failedStatus', ['failed_status', 'frequency_seconds']), 'failed_status', 'case and separators do not count')
  t.equal(closest('Cutout downlaod', ['Cutout download', 'Host match']), 'Cutout download')
  t.equal(closest('zzz', ['name', 'kind']), undefined)
  t.equal(closest('', ['name']), undefined)
  t.equal(closest('name', ['name']), undefined, 'the word itself is no suggestion')
  t.equal(didYouMean('sytem', ['transient', 'system']), 'did you mean "system"?')
  t.equal(didYouMean('periodic', ['transient', 'system']), '')
})

t.test('display paths', async (t) => {
  t.equal(displayPath(resolve('blast.tasks.yaml')), 'blast.tasks.yaml')
  t.equal(displayPath('test/x.yaml'), 'test/x.yaml')
  t.equal(displayPath('/elsewhere/blast.tasks.yaml', '/work/project'), '/elsewhere/blast.tasks.yaml')
  t.equal(displayPath('/work/project', '/work/project'), '/work/project', 'the folder itself stays absolute')
  t.equal(displayPath('/work/project/a/b.yaml', '/work/project'), 'a/b.yaml')
})

t.test('format, summarize, sort', async (t) => {
  const a = diagnostic('blast.tasks.yaml', { line: 14, column: 7 }, 'error', 'BLAST_UNKNOWN_STATUS', 'prerequisite status "procesed" is not declared;\n  declared: processed')
  t.equal(formatDiagnostic(a), 'blast.tasks.yaml:14:7 error BLAST_UNKNOWN_STATUS prerequisite status "procesed" is not declared; declared: processed')
  const clamped = diagnostic('x', { line: 0, column: Number.NaN }, 'warning', 'BLAST_PLUGIN_UNUSED', 'm')
  t.same([clamped.line, clamped.column], [1, 1], 'positions are never below 1:1')
  const b = diagnostic('blast.tasks.yaml', { line: 3, column: 9 }, 'warning', 'BLAST_YAML_SYNTAX', 'b')
  const c = diagnostic('plugins/a.ts', { line: 1, column: 1 }, 'error', 'BLAST_PLUGIN_LOAD', 'c')
  const d = diagnostic('blast.tasks.yaml', { line: 3, column: 2 }, 'error', 'BLAST_SCHEMA', 'd')
  const sorted = sortDiagnostics([c, a, b, d, a], 'blast.tasks.yaml')
  t.same(sorted.map((x) => x.message.charAt(0)), ['d', 'b', 'p', 'c'], 'the manifest first, by position, repeats dropped')
  t.equal(summarize(sorted), '3 errors, 1 warning')
  t.equal(summarize([]), '0 errors, 0 warnings')
  t.equal(summarize([a]), '1 error, 0 warnings')
  t.equal(formatDiagnostics([d, b]), 'blast.tasks.yaml:3:2 error BLAST_SCHEMA d\nblast.tasks.yaml:3:9 warning BLAST_YAML_SYNTAX b')
})
