// docs/index.md and docs/writing-tasks.md stay whole: every link of the index leads to a file, the
// index lists exactly the commands the CLI has (and its command block runs), and the guide retells
// every section of Blast's TaskRunner page, Blast's way beside ours. The guide's commands themselves
// run in new-user.test.ts.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { REPO, bash, blocks, npxShim, readDoc } from './snippets.ts'

const index = await readDoc('docs/index.md')
const guide = await readDoc('docs/writing-tasks.md')

t.test('every link of the index leads to a file', async t => {
  const links = [...index.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map(m => m[1]).filter(href => !/^[a-z]+:/.test(href))
  for (const topic of ['README.md', 'writing-tasks.md', 'manifest.md', 'api.md', 'operations.md', 'architecture.md', 'performance.md']) {
    t.ok(links.some(href => href.endsWith(topic)), `the index links ${topic}`)
  }
  for (const href of links) {
    const file = join(REPO, 'docs', href)
    t.ok(existsSync(file), `${href} exists`)
  }
})

t.test('the index lists every command, and its block runs', async t => {
  const npx = await npxShim()
  const [block] = blocks(index).filter(b => b.lang === 'sh')
  const ran = await bash(block.code, { cwd: REPO, env: { PATH: `${npx}:${process.env.PATH}`, HOME: process.env.HOME } })
  t.equal(ran.code, 0, ran.err)
  const commands = [...ran.out.matchAll(/^ {2}(\w+) {2,}/gm)].map(m => m[1])
  t.ok(commands.length >= 6, `the CLI has its commands: ${commands.join(', ')}`)
  const listed = [...index.matchAll(/^\| `npx blast-tasks (\w+)/gm)].map(m => m[1])
  t.same(listed.sort(), commands.sort(), 'the table of the index names exactly the commands of blast-tasks --help')
})

t.test('the guide retells every section of Blast\'s page, side by side', async t => {
  const headings = [...guide.matchAll(/^## (.+)$/gm)].map(m => m[1])
  t.same(headings, [
    'The process function', 'The task name', 'Prerequisites', 'Failed status', 'Task frequency', 'Run on start-up',
    'System tasks', 'Registering your task', 'Checking it runs', 'A worked example', 'What a plugin may do'
  ])
  const sections = guide.split(/^## /m).slice(1)
  for (const section of sections.slice(0, 7)) {
    const name = section.split('\n')[0]
    t.match(section, /<tr><th>Blast<\/th><th>blast-tasks<\/th><\/tr>/, `${name}: Blast beside blast-tasks`)
    const langs = blocks(section).map(b => b.lang)
    t.equal(langs[0], 'python', `${name}: Blast's code first`)
    t.ok(['yaml', 'ts'].includes(langs[1]), `${name}: then ours`)
  }
  const unknown = blocks(guide).filter(b => !['sh', 'yaml', 'ts', 'python', 'text', 'json'].includes(b.lang))
  t.same(unknown.map(b => `line ${b.line}: ${b.lang}`), [], 'every block names its language')
  for (const href of ['manifest.md', 'api.md', '../README.md']) {
    t.match(guide, `](${href})`, `the guide links ${href}`)
    t.ok(existsSync(join(REPO, 'docs', href)), `${href} exists`)
  }
})
