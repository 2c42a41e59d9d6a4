// The plugin contract as loadPlugin enforces it, on real files.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { PluginLoadError, loadPlugin } from '../../runtime/plugin-loader.ts'

const P = 'test/fixtures/manifests/plugin-lib'

t.test('the accepted shapes', async (t) => {
  for (const file of ['noop.ts', 'noop.js', 'default-function.ts', 'default-object.ts', 'commonjs.js', 'uses-helper.ts']) {
    const plugin = await loadPlugin(join(P, file))
    t.equal(typeof plugin.process, 'function', file)
    t.equal(await (plugin.process as () => Promise<string>)(), 'processed', file)
  }
})

async function failure(file: string): Promise<PluginLoadError> {
  try {
    await loadPlugin(file)
  } catch (error) {
    if (error instanceof PluginLoadError) return error
    throw error
  }
  throw new Error(`${file} loaded`)
}

t.test('the refused shapes name the file and what it found', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['extra-export.ts', 'BLAST_PLUGIN_EXPORTS', `${P}/extra-export.ts exports "helper", "process"; a plugin exports only process`],
    ['no-exports.ts', 'BLAST_PLUGIN_EXPORTS', `${P}/no-exports.ts exports nothing; a plugin exports only process, a function`],
    ['process-not-function.ts', 'BLAST_PLUGIN_EXPORTS', `${P}/process-not-function.ts exports "process" as a string; process must be a function`],
    ['default-object-extra.ts', 'BLAST_PLUGIN_EXPORTS', `${P}/default-object-extra.ts exports a default object with "process", "retries"; a plugin exports only process`],
    ['missing.ts', 'BLAST_PLUGIN_MISSING', `${P}/missing.ts does not exist`],
    ['lib', 'BLAST_PLUGIN_MISSING', `${P}/lib does not exist`],
    ['throws-on-load.ts', 'BLAST_PLUGIN_LOAD', `${P}/throws-on-load.ts throws while loading: CATALOG_URL is not set`],
    ['missing-import.mjs', 'BLAST_PLUGIN_LOAD', `${P}/missing-import.mjs throws while loading: Cannot find module './lib/classifier.mjs'`],
    ['syntax-error.mjs', 'BLAST_PLUGIN_LOAD', `${P}/syntax-error.mjs has a syntax error: Unexpected token`]
  ]
  for (const [file, code, message] of cases) {
    const error = await failure(join(P, file))
    t.equal(error.code, code, file)
    t.equal(error.message, message, file)
  }
  const syntax = await failure(join(P, 'syntax-error.mjs'))
  t.same([syntax.line, syntax.column], [2, 19], 'the position of the syntax error in the plugin')
  t.ok(syntax.cause, 'the foreign error is kept as the cause')
  const thrown = await failure(join(P, 'throws-on-load.ts'))
  t.same([thrown.line, thrown.column], [3, 1], 'the line that threw')
})

t.test('a TypeScript syntax error points into the plugin', async (t) => {
  const dir = t.testdir({ 'broken.ts': 'import type { Transient } from "blast-tasks"\n\nexport function process(t: Transient): string {\n  return t.name +\n}\n' })
  const error = await failure(join(dir, 'broken.ts'))
  t.equal(error.code, 'BLAST_PLUGIN_LOAD')
  t.same([error.line, error.column], [5, 1])
  t.match(error.message, /broken\.ts has a syntax error: /)
})

t.test('every load reads the file afresh (hot reload)', async (t) => {
  const dir = t.testdir({ 'step.ts': "export function process(): string { return 'one' }\n" })
  const file = join(dir, 'step.ts')
  t.equal((await loadPlugin(file)).process.call(undefined, undefined as never, undefined as never), 'one')
  writeFileSync(file, "export function process(): string { return 'two' }\n")
  t.equal((await loadPlugin(file)).process.call(undefined, undefined as never, undefined as never), 'two')
  writeFileSync(file, "export function process(): string { return 'three' }\nexport const x = 1\n")
  t.equal((await failure(file)).code, 'BLAST_PLUGIN_EXPORTS')
})

t.test('exports of other kinds are described', async (t) => {
  const dir = t.testdir({
    'default-number.ts': 'export default 42\n',
    'default-empty.ts': 'export default {}\n',
    'cjs-function.js': 'module.exports = async function () { return "processed" }\n',
    'cjs-nothing.js': 'module.exports = undefined\n',
    'cjs-string.js': 'module.exports = "processed"\n',
    'null-process.ts': 'export const process = null\n',
    'list-process.ts': 'export const process = []\n',
    'other-name.ts': 'export function run() {}\n',
    'throws-string.ts': "throw 'no'\n",
    'throws-type-error.ts': "JSON.parse('{')\nexport function process() {}\n"
  })
  t.equal(typeof (await loadPlugin(join(dir, 'cjs-function.js'))).process, 'function')
  const messages = await Promise.all(
    ['default-number.ts', 'default-empty.ts', 'cjs-nothing.js', 'cjs-string.js', 'null-process.ts', 'list-process.ts', 'other-name.ts', 'throws-string.ts', 'throws-type-error.ts'].map(
      async (f) => (await failure(join(dir, f))).message.replace(/^\S*\//, '')
    )
  )
  t.same(messages, [
    'default-number.ts exports a number as default; a plugin exports only process, a function',
    'default-empty.ts exports a default object with nothing; a plugin exports only process',
    'cjs-nothing.js exports nothing; a plugin exports only process, a function',
    'cjs-string.js exports a string as default; a plugin exports only process, a function',
    'null-process.ts exports "process" as null; process must be a function',
    'list-process.ts exports "process" as a list; process must be a function',
    'other-name.ts exports "run"; a plugin exports only process',
    'throws-string.ts throws while loading: no',
    `throws-type-error.ts throws while loading: SyntaxError: ${syntaxMessage()}`
  ])
})

function syntaxMessage(): string {
  try {
    JSON.parse('{')
  } catch (error) {
    return (error as Error).message
  }
  return ''
}

t.test('CommonJS outside a "type": "module" package', async (t) => {
  const dir = t.testdir({
    'package.json': '{}',
    'object.js': 'module.exports = { process() { return "processed" } }\n',
    'function.js': 'module.exports = function () { return "processed" }\n',
    'two.js': 'exports.process = () => "processed"\nexports.helper = 1\n',
    'nothing.js': 'module.exports = undefined\n',
    'scalar.js': 'module.exports = 7\n'
  })
  t.equal(typeof (await loadPlugin(join(dir, 'object.js'))).process, 'function')
  t.equal(typeof (await loadPlugin(join(dir, 'function.js'))).process, 'function')
  t.match((await failure(join(dir, 'two.js'))).message, /two\.js exports "process", "helper"; a plugin exports only process$/)
  t.match((await failure(join(dir, 'nothing.js'))).message, /nothing\.js exports nothing; /)
  t.match((await failure(join(dir, 'scalar.js'))).message, /scalar\.js exports a number as default; /)
})
