// The import rules of docs/architecture.md ("Layers and import rules"), read from the source: no
// import cycles under runtime/, the pure layers (runtime/manifest/, plan.ts, planner.ts) never reach
// the database whatever the path, the API reaches the engine only through control.ts, and the command
// line writes only through the operations. Type-only and dynamic imports count: they couple modules too.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

const ROOT = resolve('runtime')

/** every .ts file under dir, as paths relative to runtime/ */
function sources (dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [relative(ROOT, path)] : []
  })
}

// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`; comments removed first
const SPECIFIERS = /(?:\bimport|\bexport)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

interface Imports { readonly local: string[]; readonly packages: string[] }

function importsOf (file: string): Imports {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const local: string[] = []
  const packages: string[] = []
  for (const match of text.matchAll(SPECIFIERS)) {
    const specifier = match[1] ?? match[2] ?? match[3]!
    if (!specifier.startsWith('.')) packages.push(specifier)
    else if (specifier.endsWith('.ts')) local.push(relative(ROOT, resolve(ROOT, dirname(file), specifier))) // not data (JSON schemas)
  }
  return { local: [...new Set(local)], packages: [...new Set(packages)] }
}

const files = sources()
const graph = new Map(files.map(file => [file, importsOf(file)]))

t.test('the import graph is read', async t => {
  t.ok(files.length > 30, `${files.length} modules under runtime/`)
  t.same(graph.get('cli.ts')!.local.filter(path => path.startsWith('commands/')).sort().slice(0, 1), ['commands/graph.ts'], 'dynamic imports are seen')
  t.ok(graph.get('plan.ts')!.local.includes('types.ts'), 'static imports are seen')
  for (const [file, { local }] of graph) {
    for (const target of local) t.ok(graph.has(target), `${file} imports ${target}, which exists`)
  }
})

t.test('no import cycles under runtime/', async t => {
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file)?.local ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '))
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of files) if (!state.has(file)) visit(file)
  t.same(cycles, [], 'each cycle printed as a -> b -> a')
})

// What talks to the database: the store layer. The pure layers must not reach it, nor its drivers.
const STORE = ['database.ts', 'sql.ts', 'store.ts', 'migrator.ts', 'stored-plan.ts']
const DRIVERS = ['pg', 'pg-boss', '@electric-sql/pglite']
const PURE = files.filter(file => file.startsWith('manifest/') || file === 'plan.ts' || file === 'planner.ts')

/** every module file reaches through its imports, with the path to each */
function reach (file: string): Map<string, string[]> {
  const found = new Map<string, string[]>([[file, [file]]])
  const queue = [file]
  while (queue.length) {
    const at = queue.shift()!
    for (const next of graph.get(at)?.local ?? []) {
      if (found.has(next)) continue
      found.set(next, [...found.get(at)!, next])
      queue.push(next)
    }
  }
  return found
}

t.test('runtime/manifest/, plan.ts and planner.ts never reach the store, the database or its drivers', async t => {
  t.ok(PURE.includes('planner.ts') && PURE.includes('manifest/index.ts'), `${PURE.length} pure modules`)
  for (const file of PURE) {
    const reached = reach(file)
    const store = STORE.filter(target => reached.has(target)).map(target => reached.get(target)!.join(' -> '))
    t.same(store, [], `${file} reaches no store module`)
    const drivers = [...reached.keys()].flatMap(at => graph.get(at)!.packages.filter(p => DRIVERS.includes(p)).map(p => `${reached.get(at)!.join(' -> ')} -> ${p}`))
    t.same(drivers, [], `${file} reaches no database driver`)
  }
})

// The API is a skin over the facade's interface (control.ts): it reaches neither the store nor the
// runner, scheduler, lifecycle or operations themselves.
const ENGINE = [...STORE, 'runtime.ts', 'operations.ts', 'dispatcher.ts', 'scheduler.ts', 'watcher.ts']

t.test('runtime/api/ reaches the engine only through control.ts', async t => {
  for (const file of files.filter(file => file.startsWith('api/'))) {
    const reached = reach(file)
    t.same(ENGINE.filter(target => reached.has(target)).map(target => reached.get(target)!.join(' -> ')), [], `${file} reaches no engine module`)
    t.same([...reached.keys()].flatMap(at => graph.get(at)!.packages.filter(p => DRIVERS.includes(p))), [], `${file} reaches no database driver`)
  }
})


// The command line writes as the API does: through the operations (operations.ts, the Control calls
// over the database a command opened) or the running runtime's API. Only `start` runs the lifecycle;
// only `migrations` opens the database itself, to read its migration table (it never migrates).
const WRITE_PATH = [...STORE, 'dispatcher.ts', 'scheduler.ts']
const LIFECYCLE = ['runtime.ts', 'watcher.ts']
const OWN_READS: Readonly<Record<string, readonly string[]>> = { 'commands/migrations.ts': ['database.ts', 'migrator.ts'] }

t.test('runtime/commands/ reach the store and the engine only through operations.ts (start: runtime.ts)', async t => {
  const commands = files.filter(file => file.startsWith('commands/'))
  t.ok(commands.length >= 10, `${commands.length} command modules`)
  for (const file of ['commands/run.ts', 'commands/plan.ts']) t.ok(reach(file).has('operations.ts'), `${file} reaches the database through operations.ts`)
  for (const file of commands) {
    const { local, packages } = graph.get(file)!
    const own = OWN_READS[file] ?? []
    t.same(local.filter(target => WRITE_PATH.includes(target) && !own.includes(target)), [], `${file} imports no store, dispatcher or scheduler module`)
    if (file !== 'commands/start.ts') t.same(local.filter(target => LIFECYCLE.includes(target)), [], `${file} does not run the lifecycle`)
    t.same(packages.filter(p => DRIVERS.includes(p)), [], `${file} imports no database driver`)
  }
})

// The base layer (docs/architecture.md, "Layers and import rules") imports nothing above it: only
// other base modules, and no database driver.
const BASE = ['types.ts', 'settings.ts', 'errors.ts', 'logger.ts', 'transient-rules.ts', 'plugin-io.ts']

t.test('the base layer imports only the base layer', async t => {
  for (const file of BASE) {
    t.ok(graph.has(file), `${file} exists`)
    const reached = [...reach(file).keys()].filter(target => !BASE.includes(target))
    t.same(reached.map(target => reach(file).get(target)!.join(' -> ')), [], `${file} reaches nothing above the base`)
    t.same([...reach(file).keys()].flatMap(at => graph.get(at)!.packages.filter(p => DRIVERS.includes(p))), [], `${file} reaches no database driver`)
  }
})
