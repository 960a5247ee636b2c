/**
 * `joblock run`: claim the tick, run the command while keeping the lock, release.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants as osConstants, hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { REDIS_URL_ENV, RunOptions } from './args';
import { connectRedis, describeTarget, errorMessage, withTimeout } from './connection';
import { formatDuration } from './duration';
import {
  EXIT_COMMAND_NOT_EXECUTABLE, EXIT_COMMAND_NOT_FOUND, EXIT_LOCK_LOST, EXIT_LOCK_STORE_UNAVAILABLE, EXIT_SKIPPED, exitCodeForSignal,
} from './exit-codes';
import { LockKeeper } from './keeper';
import { ClaimResult, HeldClaim, JobLock, RunOutcome } from './lock';
import { recordOutcome, TickOutcomeMetrics } from './metrics';
import { formatTick } from './tick';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where joblock writes its own messages (the command's output goes straight to the inherited stdio). */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Signals that joblock forwards to the command while it runs. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function runJob(options: RunOptions, env: Env, io: Io): Promise<number> {
  const tick = formatTick(options.tickMs);
  const label = `joblock: ${options.name}@${tick}`;
  const info = (message: string) => {
    if (!options.quiet) {
      io.err(`${label}: ${message}\n`);
    }
  };
  const error = (message: string) => io.err(`${label}: ${message}\n`);
  // Metrics carry the tick's time, so that every host's line for this tick falls in one minute.
  const record = (outcome: TickOutcomeMetrics, at: number = options.tickMs) => recordOutcome(env, options.name, tick, at, outcome, io.err);

  // Check the command before claiming: a host that cannot run it must not win the tick.
  const problem = checkExecutable(options.command, env.PATH ?? DEFAULT_PATH);
  if (problem) {
    error(`${problem.message}; nothing was claimed`);
    record({ phase: 'claim', ran: false, skipped: false, storeUnreachable: false, failed: true });
    return problem.code;
  }

  const startedAt = performance.now();
  let redis: Redis;
  try {
    redis = await connectRedis(options.redis, {
      connectTimeoutMs: options.connectTimeoutMs,
      commandTimeoutMs: Math.min(options.connectTimeoutMs, Math.max(100, Math.floor(options.ttlMs / 3))),
    });
  } catch (e) {
    error(`${errorMessage(e)}; the command did not run`);
    record({ phase: 'claim', ran: false, skipped: false, storeUnreachable: true });
    return EXIT_LOCK_STORE_UNAVAILABLE;
  }

  try {
    const lock = new JobLock(redis);
    const validFrom = performance.now();
    let result: ClaimResult;
    try {
      result = await withTimeout(
        lock.claim({ name: options.name, tick, ttlMs: options.ttlMs, keepMs: options.keepMs, host: hostname() }),
        Math.max(100, options.connectTimeoutMs - (validFrom - startedAt)),
        'claiming the tick',
      );
    } catch (e) {
      error(`lock store at ${describeTarget(options.redis)} failed: ${errorMessage(e)}; the command did not run`);
      record({ phase: 'claim', ran: false, skipped: false, storeUnreachable: true });
      return EXIT_LOCK_STORE_UNAVAILABLE;
    }

    if (!result.claimed) {
      if (result.reason === 'lock-held') {
        const expiry = result.lockTtlMs >= 0 ? ` (it expires in ${formatDuration(result.lockTtlMs)} unless renewed)` : ' (it has no expiry)';
        info(`skipped: the previous run of the job still holds the lock${expiry}`);
      } else {
        const r = result.record;
        const details = [
          r.fencingToken !== undefined ? `fencing token ${r.fencingToken}` : undefined,
          r.state || undefined,
          r.exitCode !== undefined ? `exit status ${r.exitCode}` : undefined,
        ].filter((d) => d !== undefined).join(', ');
        info(`skipped: this tick was already claimed${r.host ? ` by ${r.host}` : ''}${details ? ` (${details})` : ''}`);
      }
      record({ phase: 'claim', ran: false, skipped: true, storeUnreachable: false });
      return EXIT_SKIPPED;
    }

    const tickSource = options.tickGiven ? '' : ' (no --tick: now floored to the minute)';
    if (result.missed) {
      // Reported by the one host that wins the next tick, so counted once.
      error(`MISSED TICK: the previous tick ${result.missed.tick} was claimed${result.missed.host ? ` by ${result.missed.host}` : ''} and never finished ` +
        '(its lock expired without a release: the host or joblock died); it is recorded as missed and not run again');
    }
    info(`won the tick${tickSource}; running with fencing token ${result.claim.fencingToken}: ${[options.command, ...options.args].join(' ')}`);
    record({ phase: 'claim', ran: true, skipped: false, storeUnreachable: false, missed: result.missed !== undefined });
    const code = await supervise(lock, result.claim, validFrom, options, env, { info, error });
    record({ phase: 'end', failed: code !== 0 && code !== EXIT_LOCK_LOST, lockLost: code === EXIT_LOCK_LOST }, Date.now());
    return code;
  } finally {
    redis.disconnect();
  }
}

interface Log {
  info(message: string): void;
  error(message: string): void;
}

type ChildEnd = { readonly code: number | null; readonly signal: NodeJS.Signals | null } | { readonly spawnError: NodeJS.ErrnoException };

async function supervise(lock: JobLock, claim: HeldClaim, validFrom: number, options: RunOptions, env: Env, log: Log): Promise<number> {
  const childEnv: Record<string, string | undefined> = {
    ...env,
    JOBLOCK_NAME: claim.name,
    JOBLOCK_TICK: claim.tick,
    JOBLOCK_FENCING_TOKEN: String(claim.fencingToken),
  };
  delete childEnv[REDIS_URL_ENV];

  let child: ChildProcess | undefined;
  const signalCommand = (signal: NodeJS.Signals) => {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    try {
      process.kill(-child.pid, signal);
    } catch {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  };

  // Installed before the spawn: from the moment the command exists, a SIGTERM to joblock (e.g.
  // systemd stopping the unit) reaches the command instead of killing joblock and orphaning it.
  // (Handlers run on the event loop, so never before the synchronous spawn below.)
  const forward = (signal: NodeJS.Signals) => {
    log.info(`received ${signal}, forwarding it to the command`);
    signalCommand(signal);
  };
  for (const signal of FORWARDED_SIGNALS) {
    process.on(signal, forward);
  }

  const runStarted = performance.now();
  // Its own process group, so that stopping the command also stops what it started (sh -c ...).
  child = spawn(options.command, [...options.args], { stdio: 'inherit', env: childEnv, detached: true });
  const spawned = child;
  const ended = new Promise<ChildEnd>((resolve) => {
    // 'on', not 'once': a later 'error' (e.g. a failed kill) must not go unhandled.
    spawned.on('error', (spawnError) => resolve({ spawnError }));
    spawned.once('exit', (code, signal) => resolve({ code, signal }));
  });

  let lostMessage: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const keeper = new LockKeeper({
    lock,
    claim,
    validFrom,
    onLost: (_reason, message) => {
      lostMessage = message;
      log.error(`LOCK LOST: ${message}; sending SIGTERM to the command${options.graceMs > 0 ? `, SIGKILL in ${formatDuration(options.graceMs)}` : ' and SIGKILL'}`);
      signalCommand('SIGTERM');
      killTimer = setTimeout(() => signalCommand('SIGKILL'), options.graceMs);
    },
  });
  keeper.start();

  let end: ChildEnd;
  try {
    end = await ended;
  } finally {
    keeper.stop();
    clearTimeout(killTimer);
    for (const signal of FORWARDED_SIGNALS) {
      process.removeListener(signal, forward);
    }
  }

  let exitCode: number;
  let outcome: RunOutcome;
  if ('spawnError' in end) {
    exitCode = end.spawnError.code === 'ENOENT' ? EXIT_COMMAND_NOT_FOUND : EXIT_COMMAND_NOT_EXECUTABLE;
    outcome = 'failed';
    log.error(`could not start the command: ${end.spawnError.message}`);
  } else {
    exitCode = end.code ?? exitCodeForSignal(end.signal ? osConstants.signals[end.signal] : 0);
    outcome = lostMessage === undefined ? 'finished' : 'lost';
  }

  try {
    await withTimeout(lock.release(claim, outcome, exitCode), options.connectTimeoutMs, 'releasing the lock');
  } catch (e) {
    log.error(`could not release the lock (it expires by itself within ${formatDuration(claim.ttlMs)}): ${errorMessage(e)}`);
  }

  const took = formatDuration(Math.round(performance.now() - runStarted));
  if (lostMessage !== undefined) {
    log.error(`the command was stopped after the lock was lost (its status: ${describeStatus(end)}, after ${took})`);
    return EXIT_LOCK_LOST;
  }
  if (!('spawnError' in end)) {
    log.info(`the command ${describeStatus(end)} after ${took}`);
  }
  return exitCode;
}

function describeStatus(end: ChildEnd): string {
  if ('spawnError' in end) {
    return `failed to start: ${end.spawnError.message}`;
  }
  return end.signal ? `was killed by ${end.signal}` : `exited with status ${end.code}`;
}

/** Checks that the command can be started, as the shell would; returns the problem or undefined. */
export function checkExecutable(command: string, searchPath: string): { code: number; message: string } | undefined {
  const candidates = command.includes('/') ? [command] : searchPath.split(delimiter).filter((d) => d !== '').map((d) => join(d, command));
  let sawNonExecutable: string | undefined;
  for (const candidate of candidates) {
    let isFile: boolean;
    try {
      isFile = statSync(candidate).isFile();
    } catch {
      continue;
    }
    if (!isFile) {
      sawNonExecutable ??= candidate;
      continue;
    }
    try {
      accessSync(candidate, fsConstants.X_OK);
      return undefined;
    } catch {
      sawNonExecutable ??= candidate;
    }
  }
  if (sawNonExecutable !== undefined) {
    return { code: EXIT_COMMAND_NOT_EXECUTABLE, message: `command "${command}" is not an executable file (${sawNonExecutable})` };
  }
  return {
    code: EXIT_COMMAND_NOT_FOUND,
    message: command.includes('/') ? `command "${command}" not found` : `command "${command}" not found in PATH`,
  };
}
