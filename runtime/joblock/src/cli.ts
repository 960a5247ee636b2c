/**
 * joblock: run a scheduled job on at most one host per schedule tick.
 *
 *   joblock run --name NAME --ttl DURATION [--tick TIME] [options] -- COMMAND [ARGS...]
 *
 * See HELP_TEXT in args.ts and runtime/joblock/README.md. This file is the entry point: bundled
 * with esbuild it runs main() when executed (`node joblock.js run ...`).
 */
import { HELP_TEXT, parseArgs, USAGE_HINT, UsageError } from './args';
import { EXIT_INTERNAL_ERROR, EXIT_USAGE } from './exit-codes';
import { Env, Io, runJob } from './runner';

export * from './exit-codes';
export { parseArgs, HELP_TEXT } from './args';
export type { RunOptions, ParsedArgs } from './args';

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Runs joblock with the given arguments (without the node and script paths) and environment;
 * resolves to the exit status.
 */
export async function main(argv: readonly string[], env: Env = process.env, io: Io = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`joblock: ${error.message}\n${USAGE_HINT}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (parsed.kind === 'help') {
    io.out(HELP_TEXT);
    return 0;
  }
  return runJob(parsed.options, env, io);
}

/** Runs main() on this process's arguments and sets the process exit status. */
export function runCli(): void {
  main(process.argv.slice(2), process.env).then(
    (code) => exitWith(code),
    (error: unknown) => {
      process.stderr.write(`joblock: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      exitWith(EXIT_INTERNAL_ERROR);
    },
  );
}

function exitWith(code: number): void {
  process.exitCode = code;
  // Normally nothing is left running and the process ends by itself (flushing stdout and stderr);
  // never let a stray handle keep it alive.
  setTimeout(() => process.exit(code), 2_000).unref();
}

if (require.main === module) {
  runCli();
}
