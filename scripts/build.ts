// Compiles runtime/ to dist/ (JavaScript and type declarations) for the package: `npm pack` and
// `npm publish` run it as `prepack`. The repository itself runs the TypeScript directly and ships
// no dist/; bin/blast-tasks.js picks whichever of the two is there.
import { execFileSync } from 'node:child_process'
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const dist = join(root, 'dist')

rmSync(dist, { recursive: true, force: true })
// tsc from this package's own devDependency, run by the same Node
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
// files the code reads next to itself (new URL('./migrations/', import.meta.url))
cpSync(join(root, 'runtime/migrations'), join(dist, 'migrations'), { recursive: true, filter: (file) => !file.endsWith('.md') })
// the status board's static files (runtime/api/routes-board.ts reads them from ../board/)
cpSync(join(root, 'runtime/board'), join(dist, 'board'), { recursive: true })

// A module found at run time by a path in a string (new URL('./x.ts', import.meta.url), a worker
// file) is not rewritten by tsc and would fail only once installed: refuse to pack it.
const leftovers: string[] = []
for (const file of walk(dist)) {
  if (!file.endsWith('.js')) continue
  const text = readFileSync(file, 'utf8')
  for (const [index, line] of text.split('\n').entries()) {
    if (/['"`][^'"`\s]*\.ts['"`]\s*,\s*import\.meta\.url/.test(line)) leftovers.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`)
  }
}
if (leftovers.length) {
  process.stderr.write(`build: compiled code still names .ts files at run time:\n${leftovers.join('\n')}\n`)
  process.exit(1)
}
process.stdout.write(`build: ${relative(process.cwd(), dist) || '.'} ready (${walk(dist).length} files)\n`)

function walk (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)])
}
