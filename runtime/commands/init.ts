// `blast-tasks init [dir]`: a new project that depends on blast-tasks — its own manifest, one
// example task with its test, and the two commands — so that upgrading is `npm install
// blast-tasks@latest`, not a merge of this repository. Files already there are never overwritten;
// a package.json already there (as `npm install blast-tasks` leaves it) gets what is missing.
import { existsSync } from 'node:fs'
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { basename, join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Io } from './io.ts'
import { EXIT, usageError } from './io.ts'

export const usage = `usage: blast-tasks init [dir]

Creates a blast-tasks project in dir (default: the current folder, made if absent):
  package.json       depends on blast-tasks; scripts start (blast-tasks start), test (node --test)
                     and typecheck (tsc)
  blast.tasks.yaml   the manifest, with its $schema inside node_modules for editor completion
  plugins/           one example task, Redshift class
  test/              its test, with runTask from blast-tasks/testing (no database)
  tsconfig.json, .gitignore, README.md, Dockerfile and .dockerignore (docs/deploy.md)

An existing package.json keeps its content and gets the missing scripts, "type": "module" and
the blast-tasks dependency. Any other file that already exists stops init before anything is
written. Then: npm install && npm start, and npm test.

options:
  -h, --help  this help`

const TEMPLATE = new URL('../../templates/init/', import.meta.url)
// npm drops .gitignore from a published package, so the template holds it (and .dockerignore) without the dot
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore', dockerignore: '.dockerignore' }

interface PackageJson {
  name?: string
  version?: string
  private?: boolean
  type?: string
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  engines?: Record<string, string>
  [key: string]: unknown
}

export async function run (args: string[], io: Io): Promise<number> {
  let positionals
  try {
    ({ positionals } = parseArgs({ args, allowPositionals: true, options: {} }))
  } catch (error) {
    io.err(usageError('init', usage, error))
    return EXIT.usage
  }
  if (positionals.length > 1) {
    io.err(usageError('init', usage, `give at most one folder; got ${positionals.map(p => JSON.stringify(p)).join(' ')}`))
    return EXIT.usage
  }
  const dir = resolve(positionals[0] ?? '.')
  const rel = relative(process.cwd(), dir)
  const shown = rel === '' ? '.' : rel.startsWith('..') ? dir : rel
  const ours = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson

  const files = (await list(TEMPLATE)).map(rel => ({ from: new URL(rel, TEMPLATE), to: join(dir, RENAMED[rel] ?? rel), rel: RENAMED[rel] ?? rel }))
  const taken = files.filter(f => existsSync(f.to)).map(f => f.rel)
  if (taken.length) {
    io.err(`blast-tasks init: ${shown} already has ${taken.join(', ')}; nothing was written (init never overwrites a file)`)
    return EXIT.failed
  }

  const pkgFile = join(dir, 'package.json')
  const existing = existsSync(pkgFile)
  let pkg: PackageJson
  try {
    pkg = existing ? JSON.parse(await readFile(pkgFile, 'utf8')) as PackageJson : {}
  } catch (error) {
    io.err(`blast-tasks init: ${join(shown, 'package.json')} is not valid JSON (${(error as Error).message}); nothing was written`)
    return EXIT.failed
  }
  const name = pkg.name ?? npmName(basename(dir))
  const merged = projectPackage(pkg, name, ours)

  await mkdir(dir, { recursive: true })
  for (const file of files) {
    if (file.rel === 'README.md') {
      await writeFile(file.to, (await readFile(file.from, 'utf8')).replaceAll('{{name}}', name), { flag: 'wx' })
    } else {
      await mkdir(join(file.to, '..'), { recursive: true })
      await cp(file.from, file.to, { errorOnExist: true, force: false })
    }
  }
  await writeFile(pkgFile, `${JSON.stringify(merged, null, 2)}\n`)

  io.out(`created the blast-tasks project ${name} in ${shown}:`)
  io.out(`  package.json (${existing ? 'updated' : 'new'}), ${files.map(f => f.rel).join(', ')}`)
  io.out('')
  io.out('next:')
  if (shown !== '.') io.out(`  cd ${/[\s'"$]/.test(shown) ? JSON.stringify(shown) : shown}`)
  io.out('  npm install && npm start   # the pipeline on the embedded database, API on http://127.0.0.1:3000')
  io.out('  npm test                   # the example task\'s test')
  return EXIT.ok
}

/** the scaffold's package.json: what is there stays, what the project needs is added */
function projectPackage (pkg: PackageJson, name: string, ours: PackageJson): PackageJson {
  const range = `^${ours.version}`
  return {
    name,
    version: pkg.version ?? '0.1.0',
    private: pkg.private ?? true,
    ...pkg,
    type: 'module',
    engines: { node: ours.engines?.node ?? '>=22.12', ...pkg.engines },
    scripts: {
      start: 'blast-tasks start',
      // type stripping is on by default from Node 22.18/23.6; the flag keeps 22.12 working
      test: 'node --experimental-strip-types --test "test/**/*.test.ts"',
      validate: 'blast-tasks validate',
      typecheck: 'tsc',
      ...pkg.scripts
    },
    dependencies: { 'blast-tasks': range, ...pkg.dependencies },
    // for the editor and `npm run typecheck`; start and test need neither
    devDependencies: { '@types/node': '^24.0.0', typescript: ours.devDependencies?.typescript ?? '^5.9.0', ...pkg.devDependencies }
  }
}

/** a folder name as an npm package name: lowercase, url-safe */
function npmName (folder: string): string {
  return folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+|-+$/g, '') || 'blast-pipeline'
}

async function list (base: URL, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(new URL(prefix, base), { withFileTypes: true })) {
    const rel = `${prefix}${entry.name}`
    if (entry.isDirectory()) out.push(...await list(base, `${rel}/`))
    else out.push(rel)
  }
  return out.sort()
}
