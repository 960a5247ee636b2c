import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { CliCommand, CliIo, UsageError } from '../../cli/command';
import { mainUsage, runCli } from '../../cli/main';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

const echo: CliCommand = {
  name: 'echo',
  summary: 'prints its arguments',
  usage: 'Usage: cdk-web-tiers echo WORD...',
  run: async (args, io) => {
    if (args.length === 0) throw new UsageError('give at least one word');
    io.out(args.join(' '));
    return 0;
  },
};

describe('cdk-web-tiers', () => {
  test('--help lists every command with its summary', async () => {
    const io = capture();
    expect(await runCli(['--help'], io, [echo])).toBe(0);
    expect(io.stdout).toContain('Usage: cdk-web-tiers <command>');
    expect(io.stdout).toMatch(/^ {2}echo {2}prints its arguments$/m);
  });

  test('no command prints the help and exits 64', async () => {
    const io = capture();
    expect(await runCli([], io, [echo])).toBe(64);
    expect(io.stdout).toContain('Commands:');
  });

  test('an unknown command is named, with the list of commands', async () => {
    const io = capture();
    expect(await runCli(['deploy'], io, [echo])).toBe(64);
    expect(io.stderr).toContain("unknown command 'deploy'");
    expect(io.stderr).toContain('echo');
  });

  test('<command> --help prints that command\'s usage without running it', async () => {
    const io = capture();
    expect(await runCli(['echo', '--help'], io, [echo])).toBe(0);
    expect(io.stdout).toBe('Usage: cdk-web-tiers echo WORD...');
  });

  test('a usage error prints the message and the usage, and exits 64', async () => {
    const io = capture();
    expect(await runCli(['echo'], io, [echo])).toBe(64);
    expect(io.stderr).toContain('cdk-web-tiers echo: give at least one word');
    expect(io.stderr).toContain('Usage: cdk-web-tiers echo WORD...');
  });

  test('a TierValidationError is reported with its code and what the code means', async () => {
    const io = capture();
    expect(await runCli(['loadtest', '--url', 'ftp://example.com', '--baseline-rps', '20'], io)).toBe(1);
    expect(io.stderr).toMatch(/^cdk-web-tiers loadtest: \[CWT910\] cdk-web-tiers: invalid url \("ftp:\/\/example\.com"\)\. Give an http:\/\/ or https:\/\/ URL/);
    expect(io.stderr).toContain('\n  CWT910: LoadTestScript.k6: url is not an http:// or https:// URL');
  });

  test('the real command list has validate and spike', () => {
    expect(mainUsage()).toMatch(/^ {2}validate {2}/m);
    expect(mainUsage()).toMatch(/^ {2}spike {5}simulate a demand spike/m);
  });

  test('the bin runs from the package.json entry', () => {
    const pkg = require('../../package.json') as { bin: Record<string, string> };
    const bin = path.join(__dirname, '..', '..', pkg.bin['cdk-web-tiers']);
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf-8' })).toContain('validate');
    const unknown = spawnSync(process.execPath, [bin, 'nope'], { encoding: 'utf-8' });
    expect(unknown.status).toBe(64);
  });
});
