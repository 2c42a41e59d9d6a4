// What every command shares with the command line (runtime/cli.ts): where it writes, its exit codes,
// and how it reports a bad argument. Here rather than in cli.ts so that commands never import the
// module that loads them.

export interface Io {
  out(text: string): void
  err(text: string): void
}

/** Runs a command with the arguments after its name; resolves to the exit code. */
export type CommandRun = (args: string[], io: Io) => Promise<number>

export interface CommandModule {
  /** the help text of the command, starting with its usage line */
  readonly usage: string
  readonly run: CommandRun
}

/**
 * 69: something the process needs is unavailable at start, the database or the port (EX_UNAVAILABLE);
 * 70: the runtime's own fault (EX_SOFTWARE), so that a supervisor restarts it;
 * 78: a setting has a value it does not accept (EX_CONFIG): restarting will not help
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 69, fatal: 70, config: 78 } as const

/** A parseArgs failure, as a command prints it: the problem, then its usage line. */
export function usageError(command: string, usage: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error)
  return `blast-tasks ${command}: ${reason}\n${usage.split('\n')[0]}`
}
