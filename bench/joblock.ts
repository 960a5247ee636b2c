/**
 * Benchmark: acquire + release latency and throughput of joblock's JobLock against the npm
 * `redlock` package, both on ioredis 5, against a local redis-server on loopback.
 *
 *   npx tsx bench/joblock.ts            (or: npm run bench:joblock)
 *
 * One "op" is a full acquire + release (two round trips for both libraries):
 * - JobLock: claim(name, tick) — one Lua script that checks the tick record and the running lock,
 *   INCRs the fencing counter, writes the tick record and SETs the lock — then release() — one Lua
 *   compare-and-delete that also records the outcome on the tick record. Each op uses a new tick.
 * - redlock 5.0.0-beta.2 with one client (retryCount 0): acquire([resource], ttl) — its Lua
 *   SET NX PX script — then release() — its Lua compare-and-delete.
 * Sequential: one loop. Concurrent: 50 loops sharing one connection, each on its own job name /
 * resource (no contention: this measures throughput, not lock conflicts). Each measurement runs
 * BENCH_OPS (5000) ops after BENCH_WARMUP (500) warm-up ops and stops early after
 * BENCH_MAX_SECONDS (20); each row is the median of BENCH_ROUNDS (3) alternating rounds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import Redis from 'ioredis';
import Redlock from 'redlock';
import { JobLock } from '../runtime/joblock/src/lock';
import { RedisServer } from '../test/joblock/redis-server';

const OPS = Number(process.env.BENCH_OPS ?? 5_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 20);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONCURRENCY = 50;
const TTL_MS = 10_000;

type Op = (loop: number, i: number) => Promise<boolean>;

interface Measurement {
  readonly ops: number;
  readonly failures: number;
  readonly seconds: number;
  readonly latenciesUs: Float64Array;
  readonly cappedByTime: boolean;
}

/** Runs `count` ops over `loops` parallel loops, timing each op; stops early after maxSeconds. */
async function measure(op: Op, loops: number, count: number, maxSeconds: number): Promise<Measurement> {
  const latencies = new Float64Array(count);
  let next = 0;
  let done = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(maxSeconds * 1e9));
  let cappedByTime = false;
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    for (;;) {
      const i = next++;
      if (i >= count) {
        return;
      }
      const t0 = process.hrtime.bigint();
      if (t0 > deadline) {
        cappedByTime = true;
        return;
      }
      const ok = await op(loop, i);
      latencies[done++] = Number(process.hrtime.bigint() - t0) / 1_000;
      if (!ok) {
        failures++;
      }
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { ops: done, failures, seconds, latenciesUs: latencies.slice(0, done), cappedByTime };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Row {
  readonly scenario: string;
  readonly impl: string;
  readonly m: Measurement;
  /** ops/s of the slowest and fastest round. */
  readonly range: string;
}

function printTable(rows: readonly Row[]): void {
  const header = ['scenario', 'implementation', 'ops', 'failed', 'ops/s', `ops/s, ${ROUNDS} rounds`, 'p50 µs', 'p99 µs', 'mean µs', 'max µs'];
  const body = rows.map(({ scenario, impl, m, range }) => {
    const sorted = m.latenciesUs.slice().sort();
    const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
    return [
      scenario,
      impl,
      `${m.ops}${m.cappedByTime ? ' (time cap)' : ''}`,
      String(m.failures),
      (m.ops / m.seconds).toFixed(0),
      range,
      percentile(sorted, 50).toFixed(0),
      percentile(sorted, 99).toFixed(0),
      mean.toFixed(0),
      sorted[sorted.length - 1]?.toFixed(0) ?? '-',
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  body.forEach((r) => console.log(line(r)));
}

/** The installed version of a package (read from its package.json, found above its entry point). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name) {
        return pkg.version ?? '?';
      }
    }
    dir = dirname(dir);
  }
  return '?';
}

async function main(): Promise<void> {
  const server = await RedisServer.start();
  const joblockClient = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  const redlockClient = new Redis({ host: server.host, port: server.port, lazyConnect: true });
  try {
    await Promise.all([joblockClient.connect(), redlockClient.connect()]);
    const version = /redis_version:(\S+)/.exec(await joblockClient.info('server'))?.[1] ?? '?';
    const redlockVersion = packageVersion('redlock');
    const ioredisVersion = packageVersion('ioredis');

    const jobLock = new JobLock(joblockClient, 'bench');
    const redlock = new Redlock([redlockClient], { retryCount: 0 });
    redlock.on('error', () => undefined);

    let run = 0;
    const joblockOp = (prefix: string): Op => async (loop, i) => {
      const result = await jobLock.claim({ name: `${prefix}-${run}-${loop}`, tick: String(i), ttlMs: TTL_MS, keepMs: TTL_MS });
      if (!result.claimed) {
        return false;
      }
      return jobLock.release(result.claim);
    };
    const redlockOp = (prefix: string): Op => async (loop) => {
      try {
        const lock = await redlock.acquire([`bench:redlock:${prefix}-${run}-${loop}`], TTL_MS);
        await lock.release();
        return true;
      } catch {
        return false;
      }
    };

    console.log(`joblock lock benchmark: redis-server ${version} on ${server.host}:${server.port} (loopback), node ${process.version}, ioredis ${ioredisVersion}, redlock ${redlockVersion}`);
    console.log(`one op = acquire + release; ${OPS} ops per measurement after ${WARMUP} warm-up ops, at most ${MAX_SECONDS} s each; lock ttl ${TTL_MS} ms;`);
    console.log(`${ROUNDS} alternating rounds per row, the median round shown (latencies in microseconds), with the range of ops/s over the rounds\n`);

    const rows: Row[] = [];
    const impls = [['JobLock (claim+release)', joblockOp], ['redlock (acquire+release)', redlockOp]] as const;
    for (const [scenario, loops] of [['sequential (1 loop)', 1], [`concurrent (${CONCURRENCY} loops)`, CONCURRENCY]] as const) {
      // Rounds alternate the implementations so that background load hits both alike; each row
      // reports the round with the median throughput.
      const rounds = new Map<string, Measurement[]>(impls.map(([impl]) => [impl, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [impl, makeOp] of impls) {
          run++;
          await measure(makeOp('warmup'), loops, WARMUP, MAX_SECONDS);
          run++;
          rounds.get(impl)!.push(await measure(makeOp('measure'), loops, OPS, MAX_SECONDS));
        }
      }
      for (const [impl] of impls) {
        const byThroughput = rounds.get(impl)!.slice().sort((a, b) => a.ops / a.seconds - b.ops / b.seconds);
        const range = `${(byThroughput[0].ops / byThroughput[0].seconds).toFixed(0)}-${(byThroughput[byThroughput.length - 1].ops / byThroughput[byThroughput.length - 1].seconds).toFixed(0)}`;
        rows.push({ scenario, impl, m: byThroughput[Math.floor(byThroughput.length / 2)], range });
      }
    }
    printTable(rows);
    console.log(`\nload average (1 min) during the run: ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs`);
    const failed = rows.filter((r) => r.m.failures > 0);
    if (failed.length > 0) {
      console.log(`\nWARNING: ${failed.map((r) => `${r.impl} ${r.scenario}: ${r.m.failures} failed ops`).join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    joblockClient.disconnect();
    redlockClient.disconnect();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
