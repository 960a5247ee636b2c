/**
 * `cdk-web-tiers`: the one command-line entry of the package. Each subcommand is a module of
 * `cli/commands/`; this file only dispatches and prints help.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeErrorCode, TierValidationError } from '../lib/common/errors';
import { CliCommand, CliIo, EXIT_USAGE, UsageError } from './command';
import { COMMANDS } from './commands';

const stdio: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

function version(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf-8')) as { version: string }).version;
}

/** The text of `cdk-web-tiers --help`. */
export function mainUsage(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map(c => c.name.length));
  return [
    'Usage: cdk-web-tiers <command> [options]',
    '',
    'Commands:',
    ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `cdk-web-tiers <command> --help` for the options of a command.',
  ].join('\n');
}

/** Runs the CLI with the given arguments (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = stdio, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainUsage(commands));
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(version());
    return 0;
  }
  const command = commands.find(c => c.name === name);
  if (!command) {
    io.err(`cdk-web-tiers: unknown command '${name}'.\n\n${mainUsage(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cdk-web-tiers ${command.name}: ${e.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    if (TierValidationError.isTierValidationError(e) && e.code) {
      // The message starts with [CWTnnn]; the line below says what the code means (README.md lists them all).
      io.err(`cdk-web-tiers ${command.name}: ${e.message}\n  ${e.code}: ${describeErrorCode(e.code) ?? 'unknown code'}`);
      return 1;
    }
    io.err(`cdk-web-tiers ${command.name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(code => { process.exitCode = code; });
}
