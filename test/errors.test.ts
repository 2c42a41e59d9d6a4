// One table of codes, each documented: docs/errors.md has a section for every code of
// runtime/errors.ts that opens with the table's own text, and the runtime error constructors and
// RUNTIME_ERRORS name the same codes.
import { readFileSync } from 'node:fs'
import t from 'tap'
import * as errors from '../runtime/errors.ts'
import { DIAGNOSTICS, RUNTIME_ERRORS } from '../runtime/errors.ts'

const docs = readFileSync('docs/errors.md', 'utf8')

function sections(): Map<string, string> {
  const map = new Map<string, string>()
  for (const part of docs.split(/^### /m).slice(1)) {
    const heading = /^`(BLAST_[A-Z0-9_]+)`\n\n/.exec(part)
    if (heading) map.set(heading[1]!, part.slice(heading[0].length))
  }
  return map
}

t.test('every code has a section in docs/errors.md that opens with its table text', async (t) => {
  const documented = sections()
  for (const [code, text] of [...Object.entries(DIAGNOSTICS), ...Object.entries(RUNTIME_ERRORS)]) {
    const section = documented.get(code)
    if (section === undefined) {
      t.fail(`docs/errors.md has no section "### \`${code}\`"`)
      continue
    }
    t.ok(section.startsWith(`${text}\n`), `${code}: opens with the text of runtime/errors.ts`)
  }
})

t.test('docs/errors.md documents no code that does not exist', async (t) => {
  const known = new Set([...Object.keys(DIAGNOSTICS), ...Object.keys(RUNTIME_ERRORS)])
  t.same([...sections().keys()].filter((code) => !known.has(code)), [])
})

t.test('a code belongs to one family', async (t) => {
  t.same(Object.keys(DIAGNOSTICS).filter((code) => Object.hasOwn(RUNTIME_ERRORS, code)), [])
})

t.test('the runtime error constructors and RUNTIME_ERRORS name the same codes', async (t) => {
  const constructed = Object.entries(errors)
    .filter(([name, value]) => /^Blast[A-Z]/.test(name) && typeof value === 'function')
    .map(([, Ctor]) => new (Ctor as new (...args: string[]) => { code: string })('a', 'b').code)
    .sort()
  t.same(constructed, Object.keys(RUNTIME_ERRORS).sort())
})
