#!/usr/bin/env node
// The blast-tasks command line. A command is one entry in COMMANDS: a one-line summary and a
// module under runtime/commands/ that exports `usage` and `run`. Modules load only when their
// command runs, so `validate` never pays for the database driver.
import { readFileSync } from 'node:fs'
import { EXIT, type CommandModule, type Io } from './commands/io.ts'
import { closest } from './manifest/suggest.ts'

// what the command modules share lives in commands/io.ts (they import it, not this file: no cycle)
export { EXIT, usageError, type CommandModule, type CommandRun, type Io } from './commands/io.ts'

interface CommandEntry {
  readonly summary: string
  load(): Promise<CommandModule>
}


const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  start: {
    summary: 'run the tasks and serve the control API',
    load: () => import('./commands/start.ts')
  },
  validate: {
    summary: 'check a manifest and its plugins, print every problem',
    load: () => import('./commands/validate.ts')
  },
  graph: {
    summary: 'print the task graph (mermaid or dot)',
    load: () => import('./commands/graph.ts')
  },
  new: {
    summary: 'add a task to the manifest and its plugin from a template',
    load: () => import('./commands/new.ts')
  },
  run: {
    summary: 'run one task once on one transient, print the result (writes nothing)',
    load: () => import('./commands/run.ts')
  },
  plan: {
    summary: 'show what applying a manifest would change in the database',
    load: () => import('./commands/plan.ts')
  },
  status: {
    summary: 'the tasks × counts table of the running runtime (--watch, --json)',
    load: () => import('./commands/status.ts')
  },
  migrations: {
    summary: 'list the schema migrations applied to the database and those pending',
    load: () => import('./commands/migrations.ts')
  },
  init: {
    summary: 'create a new project that depends on blast-tasks (default: the current folder)',
    load: () => import('./commands/init.ts')
  }
}

const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length))
  return [
    'usage: blast-tasks <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `blast-tasks <command> --help` for the options of a command.'
  ].join('\n')
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    io.out(version())
    return EXIT.ok
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS))
    const hint = guess === undefined ? '' : ` did you mean "${guess}"?`
    io.err(`blast-tasks: unknown command "${name}";${hint} commands: ${Object.keys(COMMANDS).join(', ')}`)
    return EXIT.usage
  }
  const command = await entry.load()
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.usage)
    return EXIT.ok
  }
  return command.run(args, io)
}

/** Runs the command line on argv and sets the process's exit code; bin/blast-tasks.js calls this. */
export function runCli (argv: readonly string[]): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code
    },
    (error: unknown) => {
      // one of ours (BLAST_* code) says what and what to do: the code and message, not a stack
      const code = (error as { code?: unknown } | null)?.code
      const text = typeof code === 'string' && code.startsWith('BLAST_') ? `${code} ${(error as Error).message}`
        : error instanceof Error ? (error.stack ?? error.message) : String(error)
      process.stderr.write(`blast-tasks: ${text}\n`)
      process.exitCode = EXIT.failed
    }
  )
}

// no top-level await: a module still awaiting at its top level cannot be imported by what it imports
if (import.meta.main) void runCli(process.argv.slice(2))
