// The command line, spawned as users run it (process.execPath is the project's Node under tap)
// and called in-process through main() for the rest.
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'
import { main } from '../../runtime/cli.ts'
import type { Io } from '../../runtime/cli.ts'

const CLI = resolve('runtime/cli.ts')
const F = 'test/fixtures/manifests'

function spawn(args: string[], cwd = process.cwd()): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const io: Io = { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) }
  const code = await main(args, io)
  return { code, out, err }
}

t.test('validate: a broken manifest prints every diagnostic and a summary, exit 1', async (t) => {
  const r = spawn(['validate', `${F}/everything-at-once.yaml`])
  t.equal(r.code, 1)
  const expected = readFileSync(`${F}/everything-at-once.expected`, 'utf8')
  t.equal(r.stdout, `${expected}${F}/everything-at-once.yaml: 9 errors, 0 warnings\n`)
  t.equal(r.stderr, '')
})

t.test('validate: a valid manifest, exit 0', async (t) => {
  const r = spawn(['validate', `${F}/valid-minimal.yaml`])
  t.equal(r.code, 0)
  t.equal(r.stdout, `${F}/valid-minimal.yaml: 0 errors, 0 warnings; 3 tasks, 6 statuses\n`)
})

t.test('validate: warnings alone pass', async (t) => {
  const r = spawn(['validate', `${F}/project/blast.tasks.yaml`])
  t.equal(r.code, 0)
  t.match(r.stdout, /^test\/fixtures\/manifests\/project\/plugins\/old-step\.ts:1:1 warning BLAST_PLUGIN_UNUSED /)
  t.match(r.stdout, /blast\.tasks\.yaml: 0 errors, 1 warning; 3 tasks, 5 statuses\n$/)
})

t.test('validate: ./blast.tasks.yaml by default, paths relative to the working directory', async (t) => {
  const dir = t.testdir({
    'blast.tasks.yaml': 'version: 1\ntasks:\n  - name: Host match\n',
    plugins: { 'host-match.ts': "export function process() { return 'processed' }\nexport const extra = 1\n" }
  })
  const r = spawn(['validate'], dir)
  t.equal(r.code, 1)
  t.equal(
    r.stdout,
    'blast.tasks.yaml:3:11 error BLAST_PLUGIN_EXPORTS plugins/host-match.ts exports "extra", "process"; a plugin exports only process\n' +
      'blast.tasks.yaml: 1 error, 0 warnings\n'
  )
  const skipped = spawn(['validate', '--no-plugins'], dir)
  t.equal(skipped.code, 0)
  t.equal(skipped.stdout, 'blast.tasks.yaml: 0 errors, 0 warnings; 1 tasks, 5 statuses\n')
})

t.test('validate: a missing manifest', async (t) => {
  const r = await run(['validate', `${F}/nope.yaml`])
  t.equal(r.code, 1)
  t.equal(
    r.out,
    `${F}/nope.yaml:1:1 error BLAST_MANIFEST_READ the manifest ${F}/nope.yaml does not exist\n${F}/nope.yaml: 1 error, 0 warnings\n`
  )
})

t.test('validate --json', async (t) => {
  const r = await run(['validate', `${F}/unknown-status.yaml`, '--json'])
  t.equal(r.code, 1)
  const body = JSON.parse(r.out) as { valid: boolean; diagnostics: unknown[] }
  t.equal(body.valid, false)
  t.same(body.diagnostics, [
    {
      file: `${F}/unknown-status.yaml`,
      line: 10,
      column: 24,
      severity: 'error',
      code: 'BLAST_UNKNOWN_STATUS',
      message: 'prerequisite status "procesed" is not declared; declared: not processed, processing, processed, failed, time limit exceeded'
    }
  ])
})

t.test('validate: usage errors exit 2', async (t) => {
  const extra = await run(['validate', 'a.yaml', 'b.yaml'])
  t.equal(extra.code, 2)
  t.equal(extra.err, 'blast-tasks validate: one manifest at a time; got 2\nusage: blast-tasks validate [path] [--no-plugins] [--json]\n')
  const unknown = await run(['validate', '--fast'])
  t.equal(unknown.code, 2)
  t.match(unknown.err, /^blast-tasks validate: Unknown option '--fast'/)
})

const MERMAID = `flowchart LR
  t0["Cutout download"]
  t1["Host match"]
  subgraph system ["system tasks"]
    t2["Ingest"]
  end
  t0 --> t1
`

const DOT = `digraph tasks {
  rankdir=LR;
  node [shape=box];
  "Cutout download";
  "Host match";
  subgraph cluster_system {
    label="system tasks";
    "Ingest";
  }
  "Cutout download" -> "Host match";
}
`

t.test('graph: mermaid by default, dot on request', async (t) => {
  const r = spawn(['graph', `${F}/valid-minimal.yaml`])
  t.equal(r.code, 0)
  t.equal(r.stdout, MERMAID)
  const dot = await run(['graph', `${F}/valid-minimal.yaml`, '--format', 'dot'])
  t.equal(dot.code, 0)
  t.equal(dot.out, `${DOT}\n`)
})

t.test('graph: labels for other statuses, quotes escaped', async (t) => {
  const dir = t.testdir({
    'blast.tasks.yaml': [
      'version: 1',
      'statuses: [{ message: skipped, type: warning }]',
      'tasks:',
      '  - name: The "first" step',
      '  - name: end',
      '    prerequisites: { The "first" step: skipped }'
    ].join('\n')
  })
  const file = join(dir, 'blast.tasks.yaml')
  const mermaid = await run(['graph', file])
  t.equal(mermaid.out, 'flowchart LR\n  t0["The #quot;first#quot; step"]\n  t1["end"]\n  t0 -->|"skipped"| t1\n\n')
  const dot = await run(['graph', file, '--format=dot'])
  t.match(dot.out, /\n {2}"The \\"first\\" step" -> "end" \[label="skipped"\];\n/)
})

t.test('graph: an invalid manifest prints its diagnostics, exit 1', async (t) => {
  const r = await run(['graph', `${F}/cycle.yaml`])
  t.equal(r.code, 1)
  t.equal(r.out, '')
  t.equal(r.err, readFileSync(`${F}/cycle.expected`, 'utf8'))
})

t.test('graph: usage errors exit 2', async (t) => {
  const format = await run(['graph', '--format', 'png'])
  t.equal(format.code, 2)
  t.equal(format.err, 'blast-tasks graph: --format must be one of mermaid, dot; got "png"\nusage: blast-tasks graph [path] [--format mermaid|dot]\n')
  t.equal((await run(['graph', 'a', 'b'])).code, 2)
  t.equal((await run(['graph', '--bad'])).code, 2)
})

t.test('help, version and unknown commands', async (t) => {
  const help = spawn(['--help'])
  t.equal(help.code, 0)
  // other commands join the table; these two are ours
  t.match(help.stdout, /^usage: blast-tasks <command> \[options\]\n\ncommands:\n/)
  t.match(help.stdout, /\n {2}validate +check a manifest and its plugins, print every problem\n/)
  t.match(help.stdout, /\n {2}graph +print the task graph \(mermaid or dot\)\n/)
  const none = await run([])
  t.equal(none.code, 2)
  t.equal(none.out, help.stdout)
  t.equal((await run(['help'])).code, 0)
  const commandHelp = await run(['validate', '--help'])
  t.equal(commandHelp.code, 0)
  t.match(commandHelp.out, /^usage: blast-tasks validate \[path\]/)
  t.match((await run(['graph', '-h'])).out, /^usage: blast-tasks graph/)
  const version = await run(['--version'])
  t.equal(version.out, `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`)
  const unknown = spawn(['valdate'])
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /^blast-tasks: unknown command "valdate"; did you mean "validate"\? commands: [^\n]*\bvalidate\b/)
  t.match(unknown.stderr, /commands: [^\n]*\bgraph\b/)
  t.match((await run(['toString'])).err, /^blast-tasks: unknown command "toString"; commands: [^?\n]*\bvalidate\b/)
})

t.test('the bin is an executable with a node shebang', async (t) => {
  t.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/)
  t.ok(statSync(CLI).mode & 0o111, 'executable')
})
