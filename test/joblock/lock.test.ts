/**
 * JobLock and LockKeeper against a real redis-server.
 */
import type Redis from 'ioredis';
import { connectRedis, LockStoreError } from '../../runtime/joblock/src/connection';
import { LockKeeper, LostReason } from '../../runtime/joblock/src/keeper';
import { HeldClaim, JobLock } from '../../runtime/joblock/src/lock';
import { RedisServer } from './redis-server';

let server: RedisServer;
let redis: Redis;
let lock: JobLock;

beforeAll(async () => {
  server = await RedisServer.start();
  redis = server.client();
  lock = new JobLock(redis);
});

afterAll(async () => {
  redis.disconnect();
  await server.dispose();
});

const TICK = '2026-11-22T08:00:00Z';
const NEXT_TICK = '2026-11-22T08:01:00Z';

async function claimOrFail(name: string, tick: string, ttlMs = 5_000, keepMs = 60_000): Promise<HeldClaim> {
  const result = await lock.claim({ name, tick, ttlMs, keepMs, host: 'test-host' });
  if (!result.claimed) {
    throw new Error(`expected to claim ${name}@${tick}, got ${JSON.stringify(result)}`);
  }
  return result.claim;
}

async function waitForReady(client: Redis): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await client.ping();
      return;
    } catch {
      await sleep(100);
    }
  }
}

describe('JobLock', () => {
  test('keys use the job name as a hash tag', () => {
    expect(JobLock.keys('nightly', TICK)).toEqual({
      tick: 'joblock:{nightly}:tick:2026-11-22T08:00:00Z',
      lock: 'joblock:{nightly}:lock',
      fence: 'joblock:{nightly}:fence',
      last: 'joblock:{nightly}:last',
    });
    expect(() => JobLock.keys('bad}name', TICK)).toThrow(/invalid job name/);
  });

  test('claim sets the tick record, the lock with the ttl, and a fencing token', async () => {
    const claim = await claimOrFail('claim', TICK, 5_000, 60_000);
    const keys = JobLock.keys('claim', TICK);
    // Seeded from the tick (epoch ms) on an empty store.
    expect(claim.fencingToken).toBe(Date.parse(TICK));
    expect(claim.token).toMatch(/^[0-9a-f]{32}$/);
    expect(await redis.get(keys.lock)).toBe(claim.token);
    const lockTtl = await redis.pttl(keys.lock);
    expect(lockTtl).toBeGreaterThan(4_000);
    expect(lockTtl).toBeLessThanOrEqual(5_000);
    expect(await redis.hgetall(keys.tick)).toMatchObject({ owner: claim.token, host: 'test-host', fence: String(Date.parse(TICK)), state: 'running' });
    // While running, the record outlives the lock by keep.
    expect(await redis.pttl(keys.tick)).toBeGreaterThan(64_000);
  });

  test('a second claim of the same tick is skipped, with the first claim\'s details', async () => {
    const first = await claimOrFail('twice', TICK);
    expect(await lock.release(first, 'finished', 3)).toBe(true);
    const second = await lock.claim({ name: 'twice', tick: TICK, ttlMs: 5_000, keepMs: 60_000 });
    expect(second).toEqual({
      claimed: false,
      reason: 'tick-claimed',
      record: { host: 'test-host', fencingToken: first.fencingToken, state: 'finished', exitCode: 3 },
    });
  });

  test('the next tick is skipped while the previous run holds the lock, and claimable once it is released', async () => {
    const first = await claimOrFail('overlap', TICK);
    const blocked = await lock.claim({ name: 'overlap', tick: NEXT_TICK, ttlMs: 5_000, keepMs: 60_000 });
    expect(blocked).toMatchObject({ claimed: false, reason: 'lock-held' });
    expect(blocked.claimed === false && blocked.reason === 'lock-held' && blocked.lockTtlMs).toBeGreaterThan(0);
    // Skipping for an overlap does not record the tick.
    expect(await redis.exists(JobLock.keys('overlap', NEXT_TICK).tick)).toBe(0);
    await lock.release(first);
    const next = await claimOrFail('overlap', NEXT_TICK);
    expect(next.fencingToken).toBeGreaterThan(first.fencingToken);
  });

  test('a holder that dies (no renewal, no release) frees the next tick after its lease; the next claim reports its tick as missed, once', async () => {
    const dead = await claimOrFail('dies', TICK, 300, 60_000);
    expect(await lock.claim({ name: 'dies', tick: NEXT_TICK, ttlMs: 300, keepMs: 60_000 })).toMatchObject({ claimed: false, reason: 'lock-held' });
    await sleep(400);
    const next = await lock.claim({ name: 'dies', tick: NEXT_TICK, ttlMs: 300, keepMs: 60_000, host: 'other-host' });
    expect(next).toMatchObject({ claimed: true, missed: { tick: TICK, host: 'test-host' } });
    expect(await redis.hget(JobLock.keys('dies', TICK).tick, 'state')).toBe('missed');
    // The dead holder's tick is not run again.
    expect(await lock.claim({ name: 'dies', tick: TICK, ttlMs: 300, keepMs: 60_000 })).toMatchObject({ claimed: false, reason: 'tick-claimed' });
    if (next.claimed) await lock.release(next.claim, 'finished', 0);
    const third = await lock.claim({ name: 'dies', tick: '2026-11-22T08:02:00Z', ttlMs: 300, keepMs: 60_000 });
    expect(third.claimed && third.missed).toBe(undefined);
    expect(dead.fencingToken).toBeLessThan(third.claimed ? third.claim.fencingToken : 0);
  });

  test('the fencing token never goes backwards when Redis restarts empty', async () => {
    const before = await claimOrFail('restart', TICK);
    await lock.release(before, 'finished', 0);
    const again = await claimOrFail('restart', NEXT_TICK);
    await lock.release(again, 'finished', 0);
    await server.stop();
    await server.restart();
    await waitForReady(redis);
    const after = await claimOrFail('restart', '2026-11-22T08:02:00Z');
    expect(await redis.get('joblock:{restart}:fence')).toBe(String(after.fencingToken));
    expect(after.fencingToken).toBeGreaterThan(again.fencingToken);
    expect(again.fencingToken).toBeGreaterThan(before.fencingToken);
  });

  test('only the owner can release: a different token does nothing', async () => {
    const claim = await claimOrFail('owner', TICK);
    const keys = JobLock.keys('owner', TICK);
    const impostor: HeldClaim = { ...claim, token: 'not-the-owner' };
    expect(await lock.release(impostor)).toBe(false);
    expect(await redis.get(keys.lock)).toBe(claim.token);
    expect(await redis.hget(keys.tick, 'state')).toBe('running');
    expect(await lock.renew(impostor)).toBe(false);
    expect(await lock.release(claim, 'finished', 0)).toBe(true);
    expect(await redis.exists(keys.lock)).toBe(0);
    // Releasing twice is harmless.
    expect(await lock.release(claim)).toBe(false);
  });

  test('release keeps the tick record for keep, and records the outcome', async () => {
    const claim = await claimOrFail('keep', TICK, 5_000, 30_000);
    await lock.release(claim, 'finished', 0);
    const keys = JobLock.keys('keep', TICK);
    const ttl = await redis.pttl(keys.tick);
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect(await redis.hgetall(keys.tick)).toMatchObject({ state: 'finished', exit: '0' });
    expect(Number(await redis.hget(keys.tick, 'finishedAt'))).toBeGreaterThan(0);
  });

  test('renew extends the lock and the tick record of the owner only', async () => {
    const claim = await claimOrFail('renew', TICK, 2_000, 10_000);
    const keys = JobLock.keys('renew', TICK);
    await redis.pexpire(keys.lock, 100);
    expect(await lock.renew(claim)).toBe(true);
    expect(await redis.pttl(keys.lock)).toBeGreaterThan(1_900);
    await redis.set(keys.lock, 'someone-else');
    expect(await lock.renew(claim)).toBe(false);
    expect(await redis.get(keys.lock)).toBe('someone-else');
  });

  test('a crashed holder\'s lock expires after the ttl; the same tick stays claimed', async () => {
    await claimOrFail('crash', TICK, 1_000, 60_000);
    const started = Date.now();
    expect(await lock.claim({ name: 'crash', tick: NEXT_TICK, ttlMs: 1_000, keepMs: 60_000 })).toMatchObject({ reason: 'lock-held' });
    while (await redis.exists(JobLock.keys('crash', TICK).lock)) {
      await sleep(50);
    }
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(await lock.claim({ name: 'crash', tick: TICK, ttlMs: 1_000, keepMs: 60_000 })).toMatchObject({ reason: 'tick-claimed' });
    expect((await lock.claim({ name: 'crash', tick: NEXT_TICK, ttlMs: 1_000, keepMs: 60_000 })).claimed).toBe(true);
  });

  test('20 concurrent claims of one tick on separate connections: exactly one wins', async () => {
    const clients = Array.from({ length: 20 }, () => server.client());
    try {
      const results = await Promise.all(clients.map((c) => new JobLock(c).claim({ name: 'race', tick: TICK, ttlMs: 5_000, keepMs: 60_000 })));
      expect(results.filter((r) => r.claimed)).toHaveLength(1);
      expect(results.filter((r) => !r.claimed)).toHaveLength(19);
    } finally {
      clients.forEach((c) => c.disconnect());
    }
  });

  test('claim rejects keep < ttl', async () => {
    await expect(lock.claim({ name: 'bad', tick: TICK, ttlMs: 5_000, keepMs: 1_000 })).rejects.toThrow(/keepMs >= ttlMs/);
  });

  test('the scripts survive SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    await redis.script('FLUSH');
    const claim = await claimOrFail('flush', TICK);
    await redis.script('FLUSH');
    expect(await lock.renew(claim)).toBe(true);
    await redis.script('FLUSH');
    expect(await lock.release(claim)).toBe(true);
  });
});

describe('connectRedis', () => {
  test('connects and fails fast on a closed port', async () => {
    const client = await connectRedis({ host: '127.0.0.1', port: server.port, db: 0, tls: false }, { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 });
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    const other = await RedisServer.start();
    await other.dispose();
    const started = Date.now();
    await expect(connectRedis({ host: '127.0.0.1', port: other.port, db: 0, tls: false }, { connectTimeoutMs: 1_000, commandTimeoutMs: 1_000 }))
      .rejects.toThrow(LockStoreError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe('LockKeeper', () => {
  const fakeClaim: HeldClaim = { name: 'k', tick: TICK, token: 't', fencingToken: 1, ttlMs: 300, keepMs: 300 };

  function keep(renew: () => Promise<boolean>): Promise<{ reason: LostReason; message: string; afterMs: number; calls: number }> {
    return new Promise((resolve) => {
      let calls = 0;
      const start = performance.now();
      const keeper = new LockKeeper({
        lock: { renew: () => { calls++; return renew(); } },
        claim: fakeClaim,
        validFrom: start,
        onLost: (reason, message) => resolve({ reason, message, afterMs: performance.now() - start, calls }),
      });
      keeper.start();
    });
  }

  test('renews every ttl/3 while renewals succeed, and stops cleanly', async () => {
    let calls = 0;
    let lost = false;
    const keeper = new LockKeeper({
      lock: { renew: async () => { calls++; return true; } },
      claim: fakeClaim,
      validFrom: performance.now(),
      onLost: () => { lost = true; },
    });
    expect(keeper.renewIntervalMs).toBe(100);
    keeper.start();
    await sleep(1_000);
    keeper.stop();
    const after = calls;
    await sleep(300);
    expect(lost).toBe(false);
    expect(after).toBeGreaterThanOrEqual(7);
    expect(after).toBeLessThanOrEqual(11);
    expect(calls).toBe(after);
    expect(keeper.renewalCount).toBe(after);
  });

  test('ownership lost at the first renewal that says so', async () => {
    const result = await keep(async () => false);
    expect(result.reason).toBe('ownership');
    expect(result.calls).toBe(1);
    expect(result.afterMs).toBeLessThan(250);
  });

  test('unreachable: retries, then gives up when the ttl runs out', async () => {
    const result = await keep(async () => { throw new Error('Stream isn\'t writeable'); });
    expect(result.reason).toBe('unreachable');
    expect(result.message).toMatch(/before its ttl ran out \(Stream isn't writeable\)/);
    expect(result.afterMs).toBeGreaterThanOrEqual(290);
    expect(result.afterMs).toBeLessThan(450);
    expect(result.calls).toBeGreaterThanOrEqual(2);
  });

  test('a renewal that never answers: the watchdog fires at the end of the ttl', async () => {
    const result = await keep(() => new Promise<boolean>(() => undefined));
    expect(result.reason).toBe('unreachable');
    expect(result.message).toMatch(/no renewal answered in time/);
    expect(result.afterMs).toBeGreaterThanOrEqual(290);
    expect(result.afterMs).toBeLessThan(450);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
