// The validator never throws: mutated manifests (nodes deleted, duplicated, retyped, renamed),
// mangled text and random bytes all come back as diagnostics with real positions. Seeded, so a
// failure reproduces.
import { readFileSync } from 'node:fs'
import t from 'tap'
import type { Test } from 'tap'
import { Document, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml'
import type { Pair } from 'yaml'
import { DIAGNOSTICS } from '../../runtime/errors.ts'
import { formatDiagnostic, validateManifestText } from '../../runtime/manifest/index.ts'
import type { Diagnostic } from '../../runtime/types.ts'

function prng(seed: number): () => number {
  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const random = prng(20260529)
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!

const BASES = ['valid-blast.yaml', 'valid-minimal.yaml', 'everything-at-once.yaml', 'cycle.yaml', 'nulls.yaml'].map((f) =>
  readFileSync(`test/fixtures/manifests/${f}`, 'utf8')
)

const VALUES: unknown[] = [null, 0, -1, 1.5, 1e400, '', 'processed', 'Host match', '\u0000', true, [], {}, ['a'], { name: 'x' }, 'x'.repeat(300)]

function mutateTree(text: string): string {
  const doc: Document = parseDocument(text, { uniqueKeys: false })
  const holders: Array<{ items: unknown[] }> = []
  visit(doc, {
    Map(_, node) {
      holders.push(node)
    },
    Seq(_, node) {
      holders.push(node)
    }
  })
  for (let n = 1 + Math.floor(random() * 3); n > 0 && holders.length > 0; n--) {
    const holder = pick(holders)
    if (holder.items.length === 0) continue
    const index = Math.floor(random() * holder.items.length)
    const item = holder.items[index]
    switch (pick(['delete', 'duplicate', 'retype', 'rename', 'replace-root'])) {
      case 'delete':
        holder.items.splice(index, 1)
        break
      case 'duplicate':
        holder.items.splice(index, 0, isPair(item) || isMap(item) || isSeq(item) || isScalar(item) ? item.clone() : item)
        break
      case 'retype': {
        const value = doc.createNode(pick(VALUES))
        if (isPair(item)) (item as Pair).value = value
        else holder.items[index] = value
        break
      }
      case 'rename':
        if (isPair(item)) (item as Pair).key = doc.createNode(pick(['name', 'tasks', 'kind', 'Host match', 'x y', 42, null]))
        break
      default:
        doc.contents = doc.createNode(pick(VALUES))
    }
  }
  return String(doc instanceof Document ? doc.toString() : '')
}

function mutateText(text: string): string {
  let out = text
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
    const at = Math.floor(random() * (out.length + 1))
    switch (pick(['cut', 'insert', 'swap-lines', 'indent'])) {
      case 'cut':
        out = out.slice(0, at) + out.slice(at + Math.floor(random() * 20))
        break
      case 'insert':
        out = out.slice(0, at) + pick([':', '-', '{', '}', '[', ']', '\t', '\n', '&a ', '*a', '!tag ', '"', "'", '#', '? ', '%YAML 1.1\n', '---\n', '\uFEFF']) + out.slice(at)
        break
      case 'swap-lines': {
        const lines = out.split('\n')
        const i = Math.floor(random() * lines.length)
        const j = Math.floor(random() * lines.length)
        ;[lines[i], lines[j]] = [lines[j]!, lines[i]!]
        out = lines.join('\n')
        break
      }
      default: {
        const lines = out.split('\n')
        const i = Math.floor(random() * lines.length)
        lines[i] = ' '.repeat(Math.floor(random() * 5)) + lines[i]!.trimStart()
        out = lines.join('\n')
      }
    }
  }
  return out
}

function randomBytes(): string {
  const bytes = Buffer.alloc(Math.floor(random() * 400))
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256)
  return random() < 0.5 ? bytes.toString('utf8') : bytes.toString('latin1')
}

function checkDiagnostics(t: Test, text: string, diagnostics: readonly Diagnostic[], manifestIsNull: boolean): void {
  const lines = text.split(/\r\n|\r|\n/).length
  for (const d of diagnostics) {
    const ok =
      Number.isInteger(d.line) &&
      Number.isInteger(d.column) &&
      d.line >= 1 &&
      d.column >= 1 &&
      (d.file !== 'fuzz.yaml' || d.line <= lines + 1) &&
      Object.hasOwn(DIAGNOSTICS, d.code) &&
      d.code !== 'BLAST_VALIDATOR_FAILED' &&
      d.message.length > 0 &&
      !d.message.includes('\n')
    if (!ok) t.fail(`bad diagnostic ${formatDiagnostic(d)}`, { text })
  }
  if (manifestIsNull !== diagnostics.some((d) => d.severity === 'error')) t.fail('manifest null exactly when there are errors', { text })
}

type Case = { kind: string; text: string }

function cases(): Case[] {
  const list: Case[] = []
  for (let i = 0; i < 300; i++) list.push({ kind: 'tree', text: mutateTree(pick(BASES)) })
  for (let i = 0; i < 200; i++) list.push({ kind: 'text', text: mutateText(pick(BASES)) })
  for (let i = 0; i < 100; i++) list.push({ kind: 'bytes', text: randomBytes() })
  list.push(
    { kind: 'edge', text: '' },
    { kind: 'edge', text: '~' },
    { kind: 'edge', text: '[]' },
    { kind: 'edge', text: '42' },
    { kind: 'edge', text: '&a [*a]' },
    { kind: 'edge', text: 'version: 1\ntasks: &t [*t]\n' },
    { kind: 'edge', text: 'version: 1\ntasks:\n  - &x { name: A, prerequisites: { A: *x } }\n' },
    { kind: 'edge', text: '? [a, b]\n: c\n' },
    { kind: 'edge', text: 'version: 1\ntasks:\n  - { name: constructor }\n  - { name: __proto__, prerequisites: { toString: processed } }\n' },
    { kind: 'edge', text: 'version: 1\ntasks:\n  - { name: A, prerequisites: { __proto__: processed, constructor: hasOwnProperty } }\n' },
    { kind: 'edge', text: 'a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n' }
  )
  return list
}

t.test('mutated manifests, mangled text and random bytes', async (t) => {
  const all = cases()
  const codes = new Map<string, number>()
  for (const [i, c] of all.entries()) {
    let result
    try {
      // plugin checks on every tenth case: they load files, the rest is pure
      result = await validateManifestText(c.text, { file: 'fuzz.yaml', dir: 'test/fixtures/manifests', checkPlugins: i % 10 === 0 })
    } catch (error) {
      t.fail(`threw on a ${c.kind} case: ${String(error)}`, { text: c.text })
      continue
    }
    checkDiagnostics(t, c.text, result.diagnostics, result.manifest === null)
    for (const d of result.diagnostics) codes.set(d.code, (codes.get(d.code) ?? 0) + 1)
  }
  t.comment(`${all.length} cases; codes seen: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`)
  t.pass(`${all.length} cases validated without throwing`)
})
