/**
 * One subcommand of the `cdk-web-tiers` CLI. Each lives in its own file under `cli/commands/` and
 * is listed once in `cli/main.ts`.
 */
export interface CliCommand {
  /** The word after `cdk-web-tiers`. */
  readonly name: string;
  /** One line for `cdk-web-tiers --help`. */
  readonly summary: string;
  /** The full text of `cdk-web-tiers <name> --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Thrown for a bad argument: the CLI prints the message and the command's usage, and exits 64. */
export class UsageError extends Error {}

/** Exit code for bad usage (sysexits EX_USAGE), as the joblock CLI uses. */
export const EXIT_USAGE = 64;
