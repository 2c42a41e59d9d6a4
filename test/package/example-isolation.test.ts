// The README tour edits the checkout's own blast.tasks.yaml and plugins/, so no test may read them:
// a test of the example reads examples/pipeline/ (its manifest, plugins and inbox). This scans the
// test sources for the ways a test has reached the root files before.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'

const ROOT = join(import.meta.dirname, '../..')
const TEST = join(ROOT, 'test')

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'generated' ? [] : sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

// the root (ROOT, REPO, '../..' from a test folder) joined with one of the files the reader edits
const READS_ROOT = [
  /join\((?:ROOT|REPO), '(?:blast\.tasks\.yaml|plugins|inbox)'/,
  /\$\{(?:ROOT|REPO)\}(?:blast\.tasks\.yaml|plugins|inbox)\b/,
  /from '\.\.\/\.\.\/(?:plugins|inbox)\//,
  /resolve\(import\.meta\.dirname, '\.\.\/\.\.\/(?:blast\.tasks\.yaml|plugins|inbox)'\)/
]

t.test('no test reads the checkout\'s own blast.tasks.yaml, plugins/ or inbox/', async t => {
  const files = sources(TEST)
  t.ok(files.length > 40, `${files.length} test sources scanned`)
  const found: string[] = []
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (READS_ROOT.some(pattern => pattern.test(line))) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`)
    })
  }
  t.same(found, [], 'read examples/pipeline/ instead')
})
