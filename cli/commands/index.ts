import { CliCommand } from '../command';
import { loadtestCommand } from './loadtest';
import { spikeCommand } from './spike';
import { validateCommand } from './validate';

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  validateCommand,
  spikeCommand,
  loadtestCommand,
];
