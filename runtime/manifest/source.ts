// Reads manifest text with `yaml`, keeping the node tree so that every later check can point at
// the exact line and column of the value (or key) it is about.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml'
import type { Document, Node as YamlNode } from 'yaml'
import type { DiagnosticCode } from '../errors.ts'
import type { Severity } from '../types.ts'
import { START } from './diagnostics.ts'
import type { Position } from './diagnostics.ts'

export type PathSegment = string | number
export type Path = readonly PathSegment[]

export interface Problem {
  readonly at: Position
  readonly severity: Severity
  readonly code: DiagnosticCode
  readonly message: string
}

export interface Source {
  /** the plain data, or undefined when the text is not usable YAML */
  readonly data: unknown
  /** syntax errors and duplicate keys, in text order */
  readonly problems: readonly Problem[]
  /** position of the value at a data path (the nearest existing ancestor when it is absent) */
  valueAt(path: Path): Position
  /** position of the key of the last path segment (the value's position for list items) */
  keyAt(path: Path): Position
  /** the line of a position, for "already declared at line N" */
  lineOf(path: Path): number
}

const MAX_ALIAS_HOPS = 32

export function parseSource(text: string): Source {
  const lineCounter = new LineCounter()
  const problems: Problem[] = []
  const doc = parseDocument(text, {
    // node ranges plus the line counter give every position; the CST tokens are not kept
    lineCounter,
    prettyErrors: false,
    // duplicate keys are found below, with a message that names the key and the first one
    uniqueKeys: false
  })
  const pos = (offset: number | undefined): Position => {
    if (offset === undefined || !Number.isFinite(offset)) return START
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }

  for (const error of doc.errors) {
    problems.push({ at: pos(error.pos[0]), severity: 'error', code: 'BLAST_YAML_SYNTAX', message: `invalid YAML: ${yamlMessage(error.message)}` })
  }
  for (const warning of doc.warnings) {
    problems.push({ at: pos(warning.pos[0]), severity: 'warning', code: 'BLAST_YAML_SYNTAX', message: `YAML: ${yamlMessage(warning.message)}` })
  }

  let data: unknown
  if (doc.errors.length === 0) {
    const treeProblems = walkTree(doc, pos)
    problems.push(...treeProblems)
    if (!treeProblems.some((p) => p.code === 'BLAST_YAML_SYNTAX')) {
      try {
        data = doc.toJS({ maxAliasCount: 1000 })
      } catch (error) {
        problems.push({ at: START, severity: 'error', code: 'BLAST_YAML_SYNTAX', message: `the YAML cannot be read: ${(error as Error).message}` })
      }
    }
  }

  const resolveAlias = (node: unknown): unknown => {
    for (let hops = 0; isAlias(node) && hops < MAX_ALIAS_HOPS; hops++) node = node.resolve(doc)
    return node
  }
  // walks the node tree along a data path; returns the deepest node reached and the key node of
  // the last pair entered
  const walk = (path: Path): { node: YamlNode | null | undefined; key: YamlNode | null | undefined; complete: boolean } => {
    let node = resolveAlias(doc.contents) as YamlNode | null | undefined
    let key: YamlNode | null | undefined
    for (const segment of path) {
      if (isMap(node)) {
        // the last one wins, as in the data
        const pair = node.items.findLast((item) => isPair(item) && keyString(item.key) === String(segment))
        if (!pair) return { node, key, complete: false }
        key = pair.key as YamlNode | null
        const value = resolveAlias(pair.value) as YamlNode | null
        // an empty value (`name:`) has no node of its own in some shapes: stay on the key
        node = value ?? key
      } else if (isSeq(node) && typeof segment === 'number' && segment >= 0 && segment < node.items.length) {
        key = undefined
        node = resolveAlias(node.items[segment]) as YamlNode | null
      } else {
        return { node, key, complete: false }
      }
    }
    return { node, key, complete: true }
  }
  const nodePos = (node: YamlNode | null | undefined): Position => pos(node?.range?.[0])

  return {
    data,
    problems,
    valueAt: (path) => nodePos(walk(path).node),
    keyAt: (path) => {
      const found = walk(path)
      return nodePos(found.complete && found.key ? found.key : found.node)
    },
    lineOf: (path) => nodePos(walk(path).node).line
  }
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value)
  return undefined
}

function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/; please use YAML\.parseAllDocuments\(\)$/, '')
  return `${first.charAt(0).toLowerCase()}${first.slice(1)}`
}

/** Duplicate keys and aliases without an anchor, in one pass over the tree. */
function walkTree(doc: Document, pos: (offset: number | undefined) => Position): Problem[] {
  const problems: Problem[] = []
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, YamlNode>()
      for (const pair of map.items) {
        const key = pair.key as YamlNode | null
        const name = keyString(key)
        if (name === undefined || !key) continue
        const earlier = first.get(name)
        if (earlier) {
          problems.push({
            at: pos(key.range?.[0]),
            severity: 'error',
            code: 'BLAST_DUPLICATE_KEY',
            message: `duplicate key ${JSON.stringify(name)}; it is already set at line ${pos(earlier.range?.[0]).line} and a mapping names each key once`
          })
        } else {
          first.set(name, key)
        }
      }
    },
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        problems.push({
          at: pos(alias.range?.[0]),
          severity: 'error',
          code: 'BLAST_YAML_SYNTAX',
          message: `invalid YAML: alias *${alias.source} has no anchor &${alias.source} before it`
        })
      }
    }
  })
  return problems
}
