/**
 * joblock's tick outcomes as CloudWatch embedded metric format, against real redis-servers: a run,
 * a skip, a failure, a lost lock, Redis down, and two hosts on split stores. The lines are then
 * aggregated the way CloudWatch aggregates them (sum per metric, dimensions and period) and fed to
 * the metric math of the scheduled job's alarms as synthesized, so the alarm math is tested on
 * what the CLI really writes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSync } from 'esbuild';
import type Redis from 'ioredis';
import { JobLock, ScheduledJobAlarm, StatelessWebTier } from '../../lib';
import { EXIT_LOCK_LOST, EXIT_LOCK_STORE_UNAVAILABLE, EXIT_SKIPPED } from '../../runtime/joblock/src/exit-codes';
import { JobLock as Lock } from '../../runtime/joblock/src/lock';
import { METRICS_NAMESPACE } from '../../runtime/joblock/src/metrics';
import { newStack, logicalIdOf, testCertificate, testSource } from '../helpers';
import { RedisServer } from './redis-server';

const CLI_SOURCE = join(__dirname, '..', '..', 'runtime', 'joblock', 'src', 'cli.ts');
const TIER = 'Test/Web';
const JOB = 'nightly';

let dir: string;
let bundle: string;
let metricsFile: string;
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'joblock-metrics-'));
  bundle = join(dir, 'joblock.js');
  metricsFile = join(dir, 'job-metrics.log');
  buildSync({ entryPoints: [CLI_SOURCE], bundle: true, platform: 'node', target: 'node18', format: 'cjs', outfile: bundle, logLevel: 'warning' });
  server = await RedisServer.start();
  redis = server.client();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function start(tick: string, script: string, redisUrl = server.url, ttl = '5s'): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle, 'run', '--name', JOB, '--ttl', ttl, '--tick', tick, '--', 'sh', '-c', script], {
    env: { PATH: process.env.PATH, JOBLOCK_REDIS_URL: redisUrl, JOBLOCK_METRICS_FILE: metricsFile, JOBLOCK_METRICS_TIER: TIER },
    stdio: 'ignore',
  });
  return { child, done: new Promise((resolve, reject) => { child.once('error', reject); child.once('close', resolve); }) };
}

const run = (tick: string, script: string, redisUrl?: string) => start(tick, script, redisUrl).done;

interface EmfRecord { _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }; [key: string]: any }

function records(tick?: string): EmfRecord[] {
  const all = existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8').split('\n').filter(l => l !== '').map(l => JSON.parse(l) as EmfRecord) : [];
  return tick ? all.filter(r => r.Tick === tick) : all;
}

/** Sum of each metric over the records (what CloudWatch's Sum gives for one period). */
function sums(recs: EmfRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of recs) for (const m of r._aws.CloudWatchMetrics[0].Metrics) out[m.Name] = (out[m.Name] ?? 0) + r[m.Name];
  return out;
}

const T = (minute: number) => `2026-11-22T08:0${minute}:00Z`;

describe('joblock tick outcomes in embedded metric format (real Redis)', () => {
  test('every line is valid EMF: namespace, Tier and Job dimensions, Count units, the tick\'s timestamp', async () => {
    expect(await run(T(0), 'true')).toBe(0);
    const [claim, end] = records(T(0));
    expect(claim._aws).toEqual({
      Timestamp: Date.parse(T(0)),
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['Tier', 'Job']],
        Metrics: ['Invocations', 'Ran', 'Skipped', 'StoreUnreachable'].map(Name => ({ Name, Unit: 'Count' })),
      }],
    });
    expect(claim).toMatchObject({ Tier: TIER, Job: JOB, Invocations: 1, Ran: 1, Skipped: 0, StoreUnreachable: 0, Tick: T(0) });
    expect(end).toMatchObject({ Tier: TIER, Job: JOB, Failed: 0, LockLost: 0 });
    expect(end._aws.CloudWatchMetrics[0].Metrics.map(m => m.Name)).toEqual(['Failed', 'LockLost']);
    expect(Math.abs(end._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  test('a run and a skip: two hosts fire one tick, one runs', async () => {
    const codes = await Promise.all([run(T(1), 'sleep 0.3'), run(T(1), 'sleep 0.3')]);
    expect(codes.sort()).toEqual([0, EXIT_SKIPPED]);
    expect(sums(records(T(1)))).toEqual({ Invocations: 2, Ran: 1, Skipped: 1, StoreUnreachable: 0, Failed: 0, LockLost: 0 });
  });

  test('a failure: the command exits 3', async () => {
    expect(await run(T(2), 'exit 3')).toBe(3);
    expect(sums(records(T(2)))).toEqual({ Invocations: 1, Ran: 1, Skipped: 0, StoreUnreachable: 0, Failed: 1, LockLost: 0 });
  });

  test('Redis down: both hosts fail closed, nobody runs', async () => {
    const down = await RedisServer.start();
    await down.dispose();
    const codes = await Promise.all([run(T(3), 'true', down.url), run(T(3), 'true', down.url)]);
    expect(codes).toEqual([EXIT_LOCK_STORE_UNAVAILABLE, EXIT_LOCK_STORE_UNAVAILABLE]);
    expect(sums(records(T(3)))).toEqual({ Invocations: 2, Ran: 0, Skipped: 0, StoreUnreachable: 2 });
  });

  test('a lost lock: LockLost, not Failed', async () => {
    const holder = start(T(4), 'trap "exit 0" TERM; while :; do sleep 0.05; done', server.url, '1s');
    for (let i = 0; i < 200 && !(await redis.exists(Lock.keys(JOB, T(4)).lock)); i++) await new Promise(r => setTimeout(r, 20));
    await redis.set(Lock.keys(JOB, T(4)).lock, 'intruder', 'PX', 60_000);
    expect(await holder.done).toBe(EXIT_LOCK_LOST);
    expect(sums(records(T(4)))).toEqual({ Invocations: 1, Ran: 1, Skipped: 0, StoreUnreachable: 0, Failed: 0, LockLost: 1 });
  });

  test('split stores: two hosts on two Redis servers both run the tick', async () => {
    const [one, other] = await Promise.all([RedisServer.start(), RedisServer.start()]);
    try {
      const codes = await Promise.all([run(T(5), 'true', one.url), run(T(5), 'true', other.url)]);
      expect(codes).toEqual([0, 0]);
      expect(sums(records(T(5)))).toMatchObject({ Invocations: 2, Ran: 2 });
    } finally {
      await Promise.all([one.dispose(), other.dispose()]);
    }
  });

  test('a dead holder (joblock and its command SIGKILLed): the next tick runs after the lease and counts Missed once', async () => {
    await redis.del(Lock.keys(JOB, T(6)).lock); // the intruder of the lost-lock test
    const holder = start(T(6), 'sleep 2', server.url, '1s');
    for (let i = 0; i < 200 && !(await redis.exists(Lock.keys(JOB, T(6)).lock)); i++) await new Promise(r => setTimeout(r, 20));
    holder.child.kill('SIGKILL');
    await holder.done;
    await new Promise(r => setTimeout(r, 1_200));
    const codes = await Promise.all([run(T(7), 'true'), run(T(7), 'true')]);
    expect(codes.sort()).toEqual([0, EXIT_SKIPPED]);
    expect(sums(records(T(7)))).toEqual({ Invocations: 2, Ran: 1, Skipped: 1, StoreUnreachable: 0, Missed: 1, Failed: 0, LockLost: 0 });
    expect(await redis.hget(Lock.keys(JOB, T(6)).tick, 'state')).toBe('missed');
  });

  describe('the synthesized alarm math over those lines', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ] });
    const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
    web.addScheduledJob(JOB, { schedule: '0 8 * * *', command: 'true', jobLock: new JobLock(stack, 'Lock', { vpc }) });
    const resources = Template.fromStack(stack).toJSON().Resources;
    const alarms = web.node.findChild(`Job-${JOB}-Alarms`) as unknown as { alarms: Record<string, any> };

    /** Evaluates an alarm's expression for each period of the lines, as CloudWatch does per datapoint. */
    function datapoints(name: ScheduledJobAlarm): { threshold: number; values: number[] } {
      const p = resources[logicalIdOf(alarms.alarms[name])].Properties;
      const queries: any[] = p.Metrics;
      const expression: string = queries.find(q => q.Expression).Expression;
      const inputs = queries.filter(q => q.MetricStat);
      const period = inputs[0].MetricStat.Period * 1000;
      for (const q of inputs) {
        expect(q.MetricStat.Metric.Namespace).toBe(METRICS_NAMESPACE);
        expect(q.MetricStat.Metric.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Tier', Value: TIER }, { Name: 'Job', Value: JOB }]));
        expect(q.MetricStat.Metric.Dimensions).toHaveLength(2);
        expect(q.MetricStat.Stat).toBe('Sum');
      }
      const buckets = new Map<number, EmfRecord[]>();
      for (const r of records()) {
        const b = Math.floor(r._aws.Timestamp / period);
        buckets.set(b, [...(buckets.get(b) ?? []), r]);
      }
      // CloudWatch metric math for one datapoint; a metric with no line in the period has no value.
      const js = expression.replace(/\bIF\(/g, 'iff(').replace(/\bFILL\(/g, 'fill(').replace(/\bAND\b/g, '&&');
      const evaluate = new Function('iff', 'fill', ...inputs.map(q => q.Id), `return ${js};`);
      const values = [...buckets.keys()].sort().map(b => {
        const s = sums(buckets.get(b)!);
        return Number(evaluate((c: boolean, a: number, z: number) => (c ? a : z), (v: number | undefined, d: number) => v ?? d,
          ...inputs.map(q => s[q.MetricStat.Metric.MetricName])));
      });
      expect(p.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      return { threshold: p.Threshold, values };
    }

    test('"nobody ran this tick" breaches for the Redis-down tick only', () => {
      const { threshold, values } = datapoints(ScheduledJobAlarm.NOBODY_RAN);
      expect(threshold).toBe(1);
      // Ticks 0..5 are minutes 08:00..08:05; the end-of-run lines (failure, lock lost) fall in today's minutes, with no invocation.
      const perTick = [0, 1, 2, 3, 4, 5].map(m => values[m]);
      expect(perTick).toEqual([0, 0, 0, 1, 0, 0]);
      expect(values.slice(6).every(v => v === 0)).toBe(true);
    });

    test('"ran twice" breaches for the split-store tick only', () => {
      const { threshold, values } = datapoints(ScheduledJobAlarm.RAN_TWICE);
      expect(threshold).toBe(1);
      expect(values.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 1]);
    });

    test('"tick missed" breaches in the 5 minutes of the tick after the dead holder\'s, only there', () => {
      const { threshold, values } = datapoints(ScheduledJobAlarm.TICK_MISSED);
      expect(threshold).toBe(1);
      expect(values.filter(v => v >= threshold)).toEqual([1]);
    });

    test('"a run failed" breaches in the 5 minutes of the failure and the lost lock', () => {
      const { threshold, values } = datapoints(ScheduledJobAlarm.RUN_FAILED);
      expect(threshold).toBe(1);
      expect(values.reduce((a, b) => a + b, 0)).toBe(2);
      expect(values.filter(v => v >= threshold).length).toBeGreaterThan(0);
    });
  });
});
