/** Running the external checkers without blocking the event loop or pipe buffers. */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * Run a command with stdout and stderr written to files (so that a long synchronous step in
 * this process, e.g. cdk-nag, does not stall the child on a full pipe), and resolve with the
 * exit code and both outputs once it ends.
 */
export function runToFiles(command: string, args: readonly string[], outFile: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const started = Date.now();
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(`${outFile}.stderr`, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', out, err], env: { ...process.env, ...env } });
    child.on('error', (e) => {
      fs.closeSync(out);
      fs.closeSync(err);
      reject(new Error(`could not start ${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      fs.closeSync(out);
      fs.closeSync(err);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: fs.readFileSync(outFile, 'utf-8'),
        stderr: fs.readFileSync(`${outFile}.stderr`, 'utf-8'),
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

/** Run a short command synchronously; never throws. */
export function runSync(command: string, args: readonly string[], inherit = false): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(command, [...args], { encoding: 'utf-8', stdio: inherit ? ['ignore', 'inherit', 'inherit'] : 'pipe' });
  if (r.error) {
    return { code: 127, stdout: '', stderr: r.error.message };
  }
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The last lines of a tool's stderr, for error messages. */
export function tail(text: string, lines = 15): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
