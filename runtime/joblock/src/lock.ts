/**
 * JobLock: the Redis side of joblock.
 *
 * Keys of job NAME (the `{NAME}` braces are a Redis Cluster hash tag, so all keys of one job live
 * in one slot and the scripts below stay atomic on a cluster too):
 *
 * - `joblock:{NAME}:tick:TICK`  hash: the record of one schedule tick (owner token, host, fencing
 *   token, state, exit status). Created by the claim and kept for `keep` after the run, so a late
 *   host cannot run the same tick again.
 * - `joblock:{NAME}:lock`       string: the owner token of the run in progress, with a PX expiry
 *   of `ttl`, renewed by its owner while the command runs.
 * - `joblock:{NAME}:fence`      integer: the last fencing token, never expires. Each claim takes
 *   max(last + 1, the tick in epoch milliseconds), so tokens only grow, and after Redis restarts
 *   empty (or a failover loses the counter) the next tick's token is still larger than any before.
 * - `joblock:{NAME}:last`       string: the tick of the last claim. The next claim checks its record:
 *   still `running` with no lock left means its holder died without releasing (nothing renewed the
 *   lock); that tick is marked `missed` and the claim reports it, once.
 *
 * Every operation is one Lua script, so it is atomic with respect to every other client.
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** Job names: what fits in a key and a hash tag without quoting. */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Claims a tick and the running lock of a job in one step.
 * KEYS: tick record, running lock, fencing counter, last claimed tick.
 * ARGV: owner token, lock ttl (ms), tick record ttl (ms), host, claimed-at (epoch ms), fencing
 * token seed (the tick, epoch ms), this tick, tick record key prefix.
 * Returns {1, fence, missed tick, its host} when claimed (missed tick '' when the last one ended
 * normally); {0, 'tick', host, fence, state, exit} when the tick already has a record; {0, 'lock',
 * pttl} when the previous run still holds the lock.
 */
const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local rec = redis.call('HMGET', KEYS[1], 'host', 'fence', 'state', 'exit')
  return {0, 'tick', rec[1] or '', rec[2] or '', rec[3] or '', rec[4] or ''}
end
local pttl = redis.call('PTTL', KEYS[2])
if pttl ~= -2 then
  return {0, 'lock', pttl}
end
local missed, missedHost = '', ''
local last = redis.call('GET', KEYS[4])
if last and last ~= ARGV[7] then
  local lastKey = ARGV[8] .. last
  if redis.call('HGET', lastKey, 'state') == 'running' then
    redis.call('HSET', lastKey, 'state', 'missed')
    missed = last
    missedHost = redis.call('HGET', lastKey, 'host') or ''
  end
end
local fence = (tonumber(redis.call('GET', KEYS[3]) or '0') or 0) + 1
local seed = tonumber(ARGV[6]) or 0
if seed > fence then fence = seed end
local fenceText = string.format('%.0f', fence)
redis.call('SET', KEYS[3], fenceText)
redis.call('SET', KEYS[4], ARGV[7])
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'host', ARGV[4], 'fence', fenceText, 'claimedAt', ARGV[5], 'state', 'running')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {1, fenceText, missed, missedHost}
`;

/**
 * Compare-and-extend. KEYS: running lock, tick record. ARGV: owner token, lock ttl (ms), tick
 * record ttl (ms). Returns 1 when the caller still owns the lock (and extended it), else 0.
 */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('HGET', KEYS[2], 'owner') == ARGV[1] then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return 1
`;

/**
 * Compare-and-delete. KEYS: running lock, tick record. ARGV: owner token, tick record ttl (ms),
 * final state, exit status, finished-at (epoch ms). Deletes the lock only if the caller owns it;
 * records the outcome on the tick record only if the caller claimed it. Returns 1 if the lock was
 * deleted, else 0.
 */
const RELEASE_SCRIPT = `
local released = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  released = 1
end
if redis.call('HGET', KEYS[2], 'owner') == ARGV[1] then
  redis.call('HSET', KEYS[2], 'state', ARGV[3], 'exit', ARGV[4], 'finishedAt', ARGV[5])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return released
`;

type Reply = Array<string | number>;

/** The scripts as ioredis custom commands (EVALSHA, falling back to EVAL on NOSCRIPT). */
interface JobLockCommands {
  joblockClaim(tickKey: string, lockKey: string, fenceKey: string, lastKey: string, token: string, ttlMs: number, tickTtlMs: number, host: string,
    claimedAt: number, fenceSeed: number, tick: string, tickPrefix: string): Promise<Reply>;
  joblockRenew(lockKey: string, tickKey: string, token: string, ttlMs: number, tickTtlMs: number): Promise<number>;
  joblockRelease(lockKey: string, tickKey: string, token: string, tickTtlMs: number, state: string, exit: string, finishedAt: number): Promise<number>;
}

export interface JobKeys {
  readonly tick: string;
  readonly lock: string;
  readonly fence: string;
  readonly last: string;
}

export interface ClaimOptions {
  /** Job name, matching JOB_NAME_PATTERN. */
  readonly name: string;
  /** Canonical tick (see formatTick). */
  readonly tick: string;
  /** Running lock TTL in ms (> 0). */
  readonly ttlMs: number;
  /** How long the tick record is kept after the run, in ms (>= ttlMs). */
  readonly keepMs: number;
  /** Recorded on the tick record for operators. @default '' */
  readonly host?: string;
  /** Owner token. @default 128 random bits, hex */
  readonly token?: string;
  /**
   * The smallest fencing token this claim may get: the token is max(last + 1, this).
   * @default the tick in epoch milliseconds
   */
  readonly fenceSeed?: number;
}

/** The previous tick of a job, found still `running` with no lock: its holder died. */
export interface MissedTick {
  readonly tick: string;
  readonly host: string;
}

/** A claim this process holds: pass it to renew() and release(). */
export interface HeldClaim {
  readonly name: string;
  readonly tick: string;
  readonly token: string;
  readonly fencingToken: number;
  readonly ttlMs: number;
  readonly keepMs: number;
}

/** What the tick record said when a claim found the tick already taken. */
export interface TickRecordSummary {
  readonly host: string;
  readonly fencingToken: number | undefined;
  /** 'running', 'finished', 'lost' or 'failed'. */
  readonly state: string;
  readonly exitCode: number | undefined;
}

export type ClaimResult =
  | { readonly claimed: true; readonly claim: HeldClaim; readonly missed?: MissedTick }
  | { readonly claimed: false; readonly reason: 'tick-claimed'; readonly record: TickRecordSummary }
  | { readonly claimed: false; readonly reason: 'lock-held'; /** PTTL of the lock, -1 if it has no expiry. */ readonly lockTtlMs: number };

/** Final state written on the tick record by release(). */
export type RunOutcome = 'finished' | 'lost' | 'failed';

export function newOwnerToken(): string {
  return randomBytes(16).toString('hex');
}

export class JobLock {
  /** The Redis keys of a job and tick. */
  public static keys(name: string, tick: string, prefix = 'joblock'): JobKeys {
    if (!JOB_NAME_PATTERN.test(name)) {
      throw new Error(`invalid job name "${name}": use 1-100 letters, digits, '.', '_' or '-'`);
    }
    return {
      tick: `${prefix}:{${name}}:tick:${tick}`,
      lock: `${prefix}:{${name}}:lock`,
      fence: `${prefix}:{${name}}:fence`,
      last: `${prefix}:{${name}}:last`,
    };
  }

  private readonly commands: JobLockCommands;

  /**
   * @param redis a connected ioredis client; the caller owns its lifecycle.
   * @param prefix key prefix. @default 'joblock'
   */
  constructor(redis: Redis, private readonly prefix = 'joblock') {
    const target = redis as unknown as Partial<JobLockCommands>;
    if (typeof target.joblockClaim !== 'function') {
      redis.defineCommand('joblockClaim', { numberOfKeys: 4, lua: CLAIM_SCRIPT });
      redis.defineCommand('joblockRenew', { numberOfKeys: 2, lua: RENEW_SCRIPT });
      redis.defineCommand('joblockRelease', { numberOfKeys: 2, lua: RELEASE_SCRIPT });
    }
    this.commands = redis as unknown as JobLockCommands;
  }

  /**
   * Atomically claims the tick and the running lock, and draws a fencing token. Fails (claimed:
   * false) if the tick has a record already, or if the lock is held by a run still in progress.
   */
  public async claim(options: ClaimOptions): Promise<ClaimResult> {
    if (!(options.ttlMs > 0) || !(options.keepMs >= options.ttlMs)) {
      throw new Error(`invalid claim: need ttlMs > 0 and keepMs >= ttlMs (got ttlMs=${options.ttlMs}, keepMs=${options.keepMs})`);
    }
    const keys = JobLock.keys(options.name, options.tick, this.prefix);
    const token = options.token ?? newOwnerToken();
    const seed = options.fenceSeed ?? Date.parse(options.tick);
    const reply = await this.commands.joblockClaim(
      keys.tick, keys.lock, keys.fence, keys.last, token,
      Math.ceil(options.ttlMs), Math.ceil(options.keepMs + options.ttlMs), options.host ?? '', Date.now(),
      Number.isFinite(seed) ? Math.max(0, Math.floor(seed)) : 0, options.tick, keys.tick.slice(0, keys.tick.length - options.tick.length),
    );
    if (Number(reply[0]) === 1) {
      const missed = reply[2] ? { tick: String(reply[2]), host: String(reply[3] ?? '') } : undefined;
      return {
        claimed: true,
        claim: { name: options.name, tick: options.tick, token, fencingToken: Number(reply[1]), ttlMs: options.ttlMs, keepMs: options.keepMs },
        ...(missed ? { missed } : {}),
      };
    }
    if (reply[1] === 'lock') {
      return { claimed: false, reason: 'lock-held', lockTtlMs: Number(reply[2]) };
    }
    return {
      claimed: false,
      reason: 'tick-claimed',
      record: {
        host: String(reply[2] ?? ''),
        fencingToken: optionalNumber(reply[3]),
        state: String(reply[4] ?? ''),
        exitCode: optionalNumber(reply[5]),
      },
    };
  }

  /**
   * Compare-and-extend: resets the lock's expiry to ttl (and the tick record's to keep + ttl) if the
   * lock still holds this claim's token. Returns false if ownership is lost.
   */
  public async renew(claim: HeldClaim): Promise<boolean> {
    const keys = JobLock.keys(claim.name, claim.tick, this.prefix);
    const result = await this.commands.joblockRenew(keys.lock, keys.tick, claim.token, Math.ceil(claim.ttlMs), Math.ceil(claim.keepMs + claim.ttlMs));
    return Number(result) === 1;
  }

  /**
   * Compare-and-delete: deletes the lock only if it holds this claim's token, and records the
   * outcome on the tick record (kept for `keep` from now). Returns true if the lock was deleted.
   */
  public async release(claim: HeldClaim, outcome: RunOutcome = 'finished', exitCode?: number): Promise<boolean> {
    const keys = JobLock.keys(claim.name, claim.tick, this.prefix);
    const result = await this.commands.joblockRelease(
      keys.lock, keys.tick, claim.token, Math.ceil(claim.keepMs), outcome, exitCode === undefined ? '' : String(exitCode), Date.now(),
    );
    return Number(result) === 1;
  }
}

function optionalNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
