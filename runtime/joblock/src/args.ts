/**
 * Command-line parsing for `joblock run`.
 */
import { parseRedisUrl, RedisTarget, RedisUrlError } from './connection';
import { DurationError, formatDuration, parseDuration } from './duration';
import { JOB_NAME_PATTERN } from './lock';
import { defaultTick, parseTick, TickError } from './tick';
import {
  EXIT_COMMAND_NOT_EXECUTABLE, EXIT_COMMAND_NOT_FOUND, EXIT_LOCK_LOST, EXIT_LOCK_STORE_UNAVAILABLE, EXIT_SKIPPED, EXIT_USAGE,
} from './exit-codes';

export const REDIS_URL_ENV = 'JOBLOCK_REDIS_URL';

export const DEFAULT_KEEP_MS = 24 * 3_600_000;
export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
export const MIN_TTL_MS = 1_000;

/** A usage error: the message names the flag, the value and the fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunOptions {
  readonly name: string;
  readonly ttlMs: number;
  /** Epoch ms of the tick, whole seconds. */
  readonly tickMs: number;
  /** True when --tick was given; false when the tick is "now floored to the minute". */
  readonly tickGiven: boolean;
  readonly keepMs: number;
  readonly graceMs: number;
  readonly connectTimeoutMs: number;
  /** The lock store, parsed from --redis or $JOBLOCK_REDIS_URL. */
  readonly redis: RedisTarget;
  readonly quiet: boolean;
  readonly command: string;
  readonly args: readonly string[];
}

export type ParsedArgs = { readonly kind: 'help' } | { readonly kind: 'run'; readonly options: RunOptions };

interface FlagSpec {
  readonly takesValue: boolean;
  readonly example: string;
}

const FLAGS: Record<string, FlagSpec> = {
  '--name': { takesValue: true, example: '--name nightly-cleanup' },
  '--ttl': { takesValue: true, example: '--ttl 5m' },
  '--tick': { takesValue: true, example: '--tick 2026-11-22T08:00:00Z' },
  '--keep': { takesValue: true, example: '--keep 24h' },
  '--grace': { takesValue: true, example: '--grace 10s' },
  '--redis': { takesValue: true, example: '--redis rediss://:PASSWORD@HOST:6379' },
  '--connect-timeout': { takesValue: true, example: '--connect-timeout 3s' },
  '--quiet': { takesValue: false, example: '--quiet' },
};

const SYNOPSIS = 'joblock run --name NAME --ttl DURATION [--tick TIME] [options] -- COMMAND [ARGS...]';

export const HELP_TEXT = `Usage: ${SYNOPSIS}

Runs COMMAND only if this host wins job NAME's schedule tick. However many hosts call joblock for
the same NAME and tick, at most one of them runs the command; the others exit ${EXIT_SKIPPED} (skipped).

Required:
  --name NAME          job name: 1-100 letters, digits, '.', '_' or '-'.
  --ttl DURATION       lock time-to-live, at least 1s. While the command runs, the lock is renewed
                       every ttl/3; if this host crashes, the lock frees after ttl.

Options:
  --tick TIME          the scheduled time of this run, identical on every host: ISO-8601 with a
                       time zone (2026-11-22T08:00:00Z) or unix epoch seconds (1795334400).
                       Default: the current time floored to the minute (UTC); pass --tick when
                       host clocks may disagree across a minute boundary.
  --keep DURATION      how long the tick's record is kept after the run, so that a host whose
                       clock is behind and fires the same tick late skips it. Must be >= --ttl
                       and should be >= the schedule interval. Default: 24h.
  --grace DURATION     after the lock is lost, time between SIGTERM and SIGKILL. Default: 10s.
  --redis URL          lock store: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or rediss://...
                       for TLS. Default: $${REDIS_URL_ENV} (preferred: a URL given as a flag
                       shows its password in the process list).
  --connect-timeout DURATION
                       budget for connecting and claiming; past it joblock fails closed.
                       Default: 3s.
  --quiet              log only errors and lost locks (default: one line when skipping or
                       running).
  -h, --help           show this help.

Durations: 500ms, 30s, 5m, 2h, 1d, 1h30m, or a plain number of seconds.

Semantics:
  - The claim of the tick, the running lock and the fencing token are taken in one atomic step.
    A tick is skipped when it already has a record (another host ran or is running it) or when
    the previous run of the job still holds the lock.
  - A missed tick is skipped, not caught up: joblock runs only the tick it is given, when it is
    given, and never retries. A tick that no host fired is never run. A tick skipped because the
    previous run still held the lock is not recorded: if a host fires that same tick again once
    the lock is free (a late clock), it runs then, once.
  - A tick's record is kept for --keep after the run; a host that fires the same tick later
    than that would run it again, so --keep must exceed how late any host can fire.
  - The command gets JOBLOCK_NAME, JOBLOCK_TICK (canonical UTC form) and JOBLOCK_FENCING_TOKEN
    (an integer that grows with every run of the job) in its environment; ${REDIS_URL_ENV}
    is removed from it.
  - If the lock cannot be renewed (another owner holds it, or Redis stays unreachable until the
    TTL runs out), the command's process group gets SIGTERM, then SIGKILL after --grace.
  - SIGTERM, SIGINT and SIGHUP sent to joblock are forwarded to the command.

Exit status:
  0-255   the command's own exit status (when it ran)
  128+N   the command was killed by signal N
  ${EXIT_USAGE}      usage error; nothing was claimed or run
  ${EXIT_COMMAND_NOT_EXECUTABLE}/${EXIT_COMMAND_NOT_FOUND} the command is not executable / not found; nothing was claimed
  ${EXIT_SKIPPED}     skipped: another host has or had this tick, or the previous run still holds the lock
  ${EXIT_LOCK_STORE_UNAVAILABLE}     the lock store is unreachable or refused us (connect, TLS, AUTH, timeout);
          the command did NOT run (fail closed)
  ${EXIT_LOCK_LOST}     the lock was lost while the command ran; the command was stopped

Example (a systemd timer's service):
  JOBLOCK_REDIS_URL=rediss://:TOKEN@master.cache.example.com:6379 \\
    joblock run --name nightly-cleanup --ttl 5m --tick 2026-11-22T08:00:00Z -- php artisan cleanup
`;

export const USAGE_HINT = 'Run "joblock run --help" for usage.';

/**
 * Parses `joblock` arguments (without the node and script paths).
 * Throws UsageError with a message naming the flag, the value and the fix.
 */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, nowMs: number = Date.now()): ParsedArgs {
  const separator = argv.indexOf('--');
  const head = separator === -1 ? argv : argv.slice(0, separator);
  const first = argv[0];
  const wantsHelp = (token: string) => token === '-h' || token === '--help';
  if (first === 'help' || (first !== undefined && wantsHelp(first)) || (first === 'run' && head.some(wantsHelp))) {
    return { kind: 'help' };
  }
  if (argv.length === 0) {
    throw new UsageError(`missing subcommand: use ${SYNOPSIS}`);
  }
  if (argv[0] !== 'run') {
    const hint = argv[0].startsWith('-') ? `put "run" first: joblock run ${argv[0]} ...` : `the only subcommand is "run": ${SYNOPSIS}`;
    throw new UsageError(`unknown subcommand "${argv[0]}": ${hint}`);
  }

  const values = new Map<string, string>();
  let quiet = false;
  for (let i = 1; i < head.length; i++) {
    const token = head[i];
    if (!token.startsWith('-')) {
      throw new UsageError(`unexpected argument "${token}": put the command after "--", e.g. joblock run --name NAME --ttl 5m -- ${token}`);
    }
    const eq = token.indexOf('=');
    const flag = token.startsWith('--') && eq !== -1 ? token.slice(0, eq) : token;
    const spec = FLAGS[flag];
    if (!spec) {
      const suggestion = closestFlag(flag);
      throw new UsageError(`unknown flag "${flag}"${suggestion ? `: did you mean ${suggestion}?` : `: known flags are ${Object.keys(FLAGS).join(', ')}`}`);
    }
    if (values.has(flag) || (flag === '--quiet' && quiet)) {
      throw new UsageError(`${flag} is given more than once: give it once`);
    }
    if (!spec.takesValue) {
      if (eq !== -1) {
        throw new UsageError(`${flag} takes no value (got "${token}"): write just ${flag}`);
      }
      quiet = true;
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = token.slice(eq + 1);
    } else {
      const next = head[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`${flag} needs a value, e.g. ${spec.example}`);
      }
      value = next;
      i++;
    }
    values.set(flag, value);
  }

  const name = values.get('--name');
  if (name === undefined) {
    throw new UsageError(`missing --name: name the job, e.g. ${FLAGS['--name'].example}`);
  }
  if (!JOB_NAME_PATTERN.test(name)) {
    throw new UsageError(`--name "${name}" is not a valid job name: use 1-100 letters, digits, '.', '_' or '-', e.g. ${FLAGS['--name'].example}`);
  }

  const ttlText = values.get('--ttl');
  if (ttlText === undefined) {
    throw new UsageError(`missing --ttl: give the lock time-to-live, e.g. ${FLAGS['--ttl'].example}`);
  }
  const ttlMs = durationFlag('--ttl', ttlText);
  if (ttlMs < MIN_TTL_MS) {
    throw new UsageError(`--ttl "${ttlText}" is too short: it must be at least 1s (the lock is renewed every ttl/3), e.g. ${FLAGS['--ttl'].example}`);
  }

  const keepText = values.get('--keep');
  const keepMs = keepText === undefined ? DEFAULT_KEEP_MS : durationFlag('--keep', keepText);
  if (keepMs < ttlMs) {
    throw new UsageError(`--keep "${keepText ?? formatDuration(keepMs)}" is shorter than --ttl "${ttlText}": the tick record must outlive the lock; use --keep ${formatDuration(ttlMs)} or more (at least the schedule interval)`);
  }

  const graceText = values.get('--grace');
  const graceMs = graceText === undefined ? DEFAULT_GRACE_MS : durationFlag('--grace', graceText);

  const connectText = values.get('--connect-timeout');
  const connectTimeoutMs = connectText === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : durationFlag('--connect-timeout', connectText);
  if (connectTimeoutMs <= 0) {
    throw new UsageError(`--connect-timeout "${connectText}" must be greater than 0, e.g. ${FLAGS['--connect-timeout'].example}`);
  }

  const tickText = values.get('--tick');
  let tickMs: number;
  if (tickText === undefined) {
    tickMs = defaultTick(nowMs);
  } else {
    try {
      tickMs = parseTick(tickText);
    } catch (error) {
      if (error instanceof TickError) {
        throw new UsageError(`--tick: ${error.message}`);
      }
      throw error;
    }
  }

  const redisFlag = values.get('--redis');
  const redisUrl = redisFlag ?? env[REDIS_URL_ENV];
  if (redisUrl === undefined || redisUrl.trim() === '') {
    throw new UsageError(`no lock store: set ${REDIS_URL_ENV} or pass ${FLAGS['--redis'].example}`);
  }
  let redis: RedisTarget;
  try {
    redis = parseRedisUrl(redisUrl.trim());
  } catch (error) {
    if (error instanceof RedisUrlError) {
      throw new UsageError(`${redisFlag !== undefined ? '--redis' : REDIS_URL_ENV}: ${error.message}`);
    }
    throw error;
  }

  if (separator === -1) {
    throw new UsageError(`missing command: put it after "--", e.g. joblock run --name ${name} --ttl ${ttlText} -- /usr/local/bin/cleanup`);
  }
  const command = argv.slice(separator + 1);
  if (command.length === 0 || command[0] === '') {
    throw new UsageError(`missing command after "--": e.g. joblock run --name ${name} --ttl ${ttlText} -- /usr/local/bin/cleanup`);
  }

  return {
    kind: 'run',
    options: {
      name,
      ttlMs,
      tickMs,
      tickGiven: tickText !== undefined,
      keepMs,
      graceMs,
      connectTimeoutMs,
      redis,
      quiet,
      command: command[0],
      args: command.slice(1),
    },
  };
}

function durationFlag(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) {
      throw new UsageError(`${flag}: ${error.message}`);
    }
    throw error;
  }
}

function closestFlag(flag: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of Object.keys(FLAGS)) {
    const d = editDistance(flag, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
