/**
 * Acceptance tests of the joblock CLI: the esbuild bundle (as shipped to instances) runs as
 * separate processes against real redis-servers on loopback.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type Redis from 'ioredis';
import {
  EXIT_COMMAND_NOT_FOUND, EXIT_LOCK_LOST, EXIT_LOCK_STORE_UNAVAILABLE, EXIT_SKIPPED, EXIT_USAGE,
} from '../../runtime/joblock/src/exit-codes';
import { JobLock } from '../../runtime/joblock/src/lock';
import { freePort, RedisServer } from './redis-server';

const CLI_SOURCE = join(__dirname, '..', '..', 'runtime', 'joblock', 'src', 'cli.ts');

let dir: string;
let bundle: string;
let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'joblock-test-'));
  bundle = join(dir, 'joblock.js');
  // The same build as the CDK asset: one CommonJS file for node18.
  buildSync({ entryPoints: [CLI_SOURCE], bundle: true, platform: 'node', target: 'node18', format: 'cjs', outfile: bundle, logLevel: 'warning' });
  server = await RedisServer.start();
  redis = server.client();
});

afterAll(async () => {
  redis?.disconnect();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

interface CliOptions {
  /** Replaces the default environment entries (PATH and JOBLOCK_REDIS_URL of the shared server). */
  readonly env?: Record<string, string | undefined>;
}

function startCli(args: readonly string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const env = { PATH: process.env.PATH, JOBLOCK_REDIS_URL: server.url, ...options.env };
  const started = Date.now();
  const child = spawn(process.execPath, [bundle, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => { stdout += chunk; });
  child.stderr?.on('data', (chunk) => { stderr += chunk; });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done };
}

function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** `joblock run --name NAME --ttl TTL --tick TICK [extra] -- sh -c SCRIPT sh ARGS...` */
function jobArgs(name: string, tick: string, ttl: string, script: string, scriptArgs: readonly string[] = [], extra: readonly string[] = []): string[] {
  return ['run', '--name', name, '--ttl', ttl, '--tick', tick, ...extra, '--', 'sh', '-c', script, 'sh', ...scriptArgs];
}

function file(name: string): string {
  return join(dir, name);
}

function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const T1 = '2026-11-22T08:00:00Z';
const T2 = '2026-11-22T08:01:00Z';
const T3 = '2026-11-22T08:02:00Z';

describe('joblock run (bundled CLI, real Redis)', () => {
  test('20 concurrent contenders for one tick: exactly one runs, 19 exit skipped', async () => {
    const out = file('race.txt');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runCli(jobArgs('race', T1, '10s', 'echo "$JOBLOCK_FENCING_TOKEN" >> "$1"; sleep 0.2', [out]))),
    );
    const codes = results.map((r) => r.code).sort((a, b) => (a ?? -1) - (b ?? -1));
    expect(codes).toEqual([0, ...Array(19).fill(EXIT_SKIPPED)]);
    // The fencing token is seeded from the tick (epoch ms) on an empty store.
    expect(lines(out)).toEqual([String(Date.parse(T1))]);
    for (const skipped of results.filter((r) => r.code === EXIT_SKIPPED)) {
      expect(skipped.stderr).toMatch(/race@2026-11-22T08:00:00Z: skipped: (this tick was already claimed|the previous run of the job still holds the lock)/);
    }
  });

  test('a late contender for a tick that already ran is skipped; the record is kept for --keep', async () => {
    const out = file('late.txt');
    const first = await runCli(jobArgs('late', T1, '5s', 'echo ran >> "$1"', [out], ['--keep', '2h']));
    expect(first.code).toBe(0);
    const tickKey = JobLock.keys('late', T1).tick;
    expect(await redis.pttl(tickKey)).toBeGreaterThan(2 * 3_600_000 - 10_000);
    expect(await redis.exists(JobLock.keys('late', T1).lock)).toBe(0);

    // The same tick given in another form (epoch seconds) is the same tick.
    const late = await runCli(jobArgs('late', String(Date.parse(T1) / 1000), '5s', 'echo ran >> "$1"', [out]));
    expect(late.code).toBe(EXIT_SKIPPED);
    expect(late.stderr).toMatch(/skipped: this tick was already claimed by .* \(fencing token 1795334400000, finished, exit status 0\)/);
    expect(lines(out)).toEqual(['ran']);
  });

  test('a holder killed with SIGKILL: the next tick is skipped while its lock lives, and runs once the ttl has passed', async () => {
    const pidFile = file('killed.pid');
    const out = file('killed-next.txt');
    const holder = startCli(jobArgs('killed', T1, '2s', 'echo $$ > "$1"; exec sleep 60', [pidFile]));
    await waitFor('the holder\'s command to start', () => lines(pidFile).length > 0);
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    // The command lives on in its own process group (on an instance, systemd stops the unit's
    // cgroup); end it, or it would hold the holder's stdout open.
    process.kill(-Number(lines(pidFile)[0]), 'SIGKILL');
    expect((await holder.done).signal).toBe('SIGKILL');

    const early = await runCli(jobArgs('killed', T2, '2s', 'echo next >> "$1"', [out]));
    expect(early.code).toBe(EXIT_SKIPPED);
    expect(early.stderr).toMatch(/skipped: the previous run of the job still holds the lock \(it expires in/);

    const lockKey = JobLock.keys('killed', T1).lock;
    await waitFor('the dead holder\'s lock to expire', async () => (await redis.exists(lockKey)) === 0, 5_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(2_000 + 300);

    const after = await runCli(jobArgs('killed', T2, '2s', 'echo next >> "$1"', [out]));
    expect(after.code).toBe(0);
    expect(lines(out)).toEqual(['next']);
    // The winner of the next tick reports the dead holder's tick as missed.
    expect(after.stderr).toMatch(/MISSED TICK: the previous tick 2026-11-22T08:00:00Z was claimed by .* and never finished/);
    // The killed run's tick stays claimed (now marked missed): it is never run a second time.
    const again = await runCli(jobArgs('killed', T1, '2s', 'echo again >> "$1"', [out]));
    expect(again.code).toBe(EXIT_SKIPPED);
    expect(again.stderr).toMatch(/this tick was already claimed .*missed/);
    expect(lines(out)).toEqual(['next']);
  });

  test('a job longer than its ttl keeps the lock by renewal; contenders for the next tick are skipped meanwhile', async () => {
    const out = file('long.txt');
    const nextOut = file('long-next.txt');
    const holder = startCli(jobArgs('long', T1, '1s', 'echo run >> "$1"; sleep 3.5; echo end >> "$1"', [out]));
    await waitFor('the long job to start', () => lines(out).length > 0);
    const commandEnded = () => lines(out).includes('end');

    // Only a contender that finished before the command ended is evidence: the lock is released
    // only after the command has ended.
    const contenders: CliResult[] = [];
    const lockTtls: number[] = [];
    let raced: CliResult | undefined;
    while (!commandEnded()) {
      const ttl = await redis.pttl(JobLock.keys('long', T1).lock);
      const result = await runCli(jobArgs('long', T2, '1s', 'echo next >> "$1"', [nextOut]));
      if (commandEnded()) {
        raced = result;
        break;
      }
      lockTtls.push(ttl);
      contenders.push(result);
      await sleep(300);
    }
    const run = await holder.done;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/the command exited with status 0 after 3\.\d+s/);
    expect(contenders.length).toBeGreaterThanOrEqual(4);
    expect(contenders.map((r) => r.code)).toEqual(contenders.map(() => EXIT_SKIPPED));
    // The 1 s lock was alive at every check, long past its first second, thanks to renewal.
    expect(lockTtls.filter((ttl) => !(ttl > 0 && ttl <= 1_000))).toEqual([]);
    expect(lines(out)).toEqual(['run', 'end']);
    const racedRuns = raced?.code === 0 ? ['next'] : [];
    expect(lines(nextOut)).toEqual(racedRuns);

    // Once the long run has released the lock, a following tick runs.
    expect((await runCli(jobArgs('long', T3, '1s', 'echo next >> "$1"', [nextOut]))).code).toBe(0);
    expect(lines(nextOut)).toEqual([...racedRuns, 'next']);
  });

  test('a dropped connection during the run: joblock reconnects, renewals resume, the run completes', async () => {
    const out = file('blip.txt');
    const holder = startCli(jobArgs('blip', T1, '1500ms', 'echo started >> "$1"; sleep 2.5', [out]));
    await waitFor('the job to start', () => lines(out).includes('started'));
    await sleep(200);
    const killed = await redis.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect(Number(killed)).toBeGreaterThanOrEqual(1);
    const result = await holder.done;
    expect(result.stderr).not.toMatch(/LOCK LOST/);
    expect(result.code).toBe(0);
    expect(await redis.exists(JobLock.keys('blip', T1).lock)).toBe(0);
  });

  test('fencing tokens strictly increase across runs; the command gets JOBLOCK_* and not the Redis URL', async () => {
    const out = file('fence.txt');
    const script = 'echo "$JOBLOCK_FENCING_TOKEN $JOBLOCK_NAME $JOBLOCK_TICK ${JOBLOCK_REDIS_URL:-unset}" >> "$1"';
    for (const tick of [T1, T2, T3, '2026-11-22T09:00:00+01:00']) {
      const r = await runCli(jobArgs('fence', tick, '5s', script, [out]));
      expect([tick, r.code]).toEqual([tick, tick.endsWith('+01:00') ? EXIT_SKIPPED : 0]); // +01:00 is T1 again
    }
    expect((await runCli(jobArgs('fence', '2026-11-22T08:03:00Z', '5s', script, [out]))).code).toBe(0);
    const seen = lines(out).map((l) => l.split(' '));
    expect(seen.map((f) => f.slice(1))).toEqual([
      ['fence', T1, 'unset'],
      ['fence', T2, 'unset'],
      ['fence', T3, 'unset'],
      ['fence', '2026-11-22T08:03:00Z', 'unset'],
    ]);
    const tokens = seen.map((f) => Number(f[0]));
    for (let i = 1; i < tokens.length; i++) {
      expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
    }
  });

  test('lock lost (the lock key is taken over): the command gets SIGTERM and joblock exits lock-lost', async () => {
    const out = file('lost.txt');
    const holder = startCli(jobArgs('lost', T1, '1s', 'trap \'echo TERM >> "$1"; exit 0\' TERM; echo started >> "$1"; while :; do sleep 0.05; done', [out]));
    await waitFor('the job to start', () => lines(out).includes('started'));
    await redis.set(JobLock.keys('lost', T1).lock, 'intruder', 'PX', 60_000);
    const takenAt = Date.now();
    const result = await holder.done;
    expect(result.code).toBe(EXIT_LOCK_LOST);
    expect(Date.now() - takenAt).toBeLessThan(1_500); // detected at the next renewal (every ttl/3)
    expect(result.stderr).toMatch(/LOCK LOST: the lock no longer holds this run's token/);
    expect(lines(out)).toEqual(['started', 'TERM']);
    // joblock never deletes a lock it does not own.
    expect(await redis.get(JobLock.keys('lost', T1).lock)).toBe('intruder');
    expect(await redis.hget(JobLock.keys('lost', T1).tick, 'state')).toBe('lost');
  });

  test('lock lost and the command ignores SIGTERM: SIGKILL after --grace', async () => {
    const out = file('stubborn.txt');
    const holder = startCli(jobArgs('stubborn', T1, '1s', 'trap "" TERM; echo started >> "$1"; while :; do sleep 0.05; done', [out], ['--grace', '500ms']));
    await waitFor('the job to start', () => lines(out).includes('started'));
    await redis.del(JobLock.keys('stubborn', T1).lock);
    const result = await holder.done;
    expect(result.code).toBe(EXIT_LOCK_LOST);
    expect(result.stderr).toMatch(/sending SIGTERM to the command, SIGKILL in 500ms/);
    expect(result.stderr).toMatch(/its status: was killed by SIGKILL/);
  });

  test('lock lost because Redis stops mid-run: lock-lost once the ttl has run out', async () => {
    const own = await RedisServer.start();
    try {
      const out = file('redis-died.txt');
      const holder = startCli(jobArgs('died', T1, '1s', 'echo started >> "$1"; exec sleep 30', [out]), { env: { JOBLOCK_REDIS_URL: own.url } });
      await waitFor('the job to start', () => lines(out).includes('started'));
      await own.stop();
      const stoppedAt = Date.now();
      const result = await holder.done;
      expect(result.code).toBe(EXIT_LOCK_LOST);
      expect(Date.now() - stoppedAt).toBeLessThan(1_800);
      expect(result.stderr).toMatch(/LOCK LOST: could not renew the lock before its ttl ran out/);
      expect(result.stderr).toMatch(/its status: was killed by SIGTERM/);
      expect(result.stderr).toMatch(/could not release the lock/);
    } finally {
      await own.dispose();
    }
  });

  test('Redis stopped before the run: exits lock-store-unavailable at once and the command does not run', async () => {
    const own = await RedisServer.start();
    await own.dispose();
    const out = file('down.txt');
    const result = await runCli(jobArgs('down', T1, '5s', 'echo ran >> "$1"', [out]), { env: { JOBLOCK_REDIS_URL: own.url } });
    expect(result.code).toBe(EXIT_LOCK_STORE_UNAVAILABLE);
    expect(result.stderr).toMatch(/cannot reach the lock store at redis:\/\/127\.0\.0\.1:\d+\/0: connect ECONNREFUSED .*; the command did not run/);
    expect(result.ms).toBeLessThan(3_000);
    expect(existsSync(out)).toBe(false);
  });

  test('a lock store that accepts connections but never answers: fails closed after --connect-timeout', async () => {
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => { sockets.push(socket); });
    const port = await freePort();
    await new Promise<void>((resolve) => blackHole.listen(port, '127.0.0.1', resolve));
    try {
      const out = file('blackhole.txt');
      const result = await runCli(jobArgs('blackhole', T1, '5s', 'echo ran >> "$1"', [out], ['--connect-timeout', '1s']),
        { env: { JOBLOCK_REDIS_URL: `redis://127.0.0.1:${port}` } });
      expect(result.code).toBe(EXIT_LOCK_STORE_UNAVAILABLE);
      expect(result.stderr).toMatch(/no answer within 1000 ms/);
      expect(result.ms).toBeGreaterThanOrEqual(900);
      expect(result.ms).toBeLessThan(2_500);
      expect(existsSync(out)).toBe(false);
    } finally {
      sockets.forEach((s) => s.destroy());
      blackHole.close();
    }
  });

  test('TLS and AUTH from the URL (rediss://:PASSWORD@HOST); wrong password, no password or untrusted certificate fail closed', async () => {
    const certs = makeCertificates(join(dir, 'tls'));
    const tlsPort = await freePort();
    const own = await RedisServer.start({
      password: 's3cret/+',
      args: [
        '--requirepass', 's3cret/+',
        '--tls-port', String(tlsPort),
        '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no',
      ],
    });
    try {
      const out = file('tls.txt');
      const args = (tick: string) => jobArgs('tls', tick, '5s', 'echo ran >> "$1"', [out]);
      const trusted = { NODE_EXTRA_CA_CERTS: certs.ca };
      const ok = await runCli(args(T1), { env: { ...trusted, JOBLOCK_REDIS_URL: `rediss://:s3cret%2F%2B@localhost:${tlsPort}` } });
      expect(ok.stderr).toMatch(/won the tick/);
      expect(ok.code).toBe(0);
      expect(lines(out)).toEqual(['ran']);

      const wrong = await runCli(args(T2), { env: { ...trusted, JOBLOCK_REDIS_URL: `rediss://default:nope@localhost:${tlsPort}` } });
      expect(wrong.code).toBe(EXIT_LOCK_STORE_UNAVAILABLE);
      expect(wrong.stderr).toMatch(/WRONGPASS/);
      expect(wrong.stderr).not.toMatch(/nope/);

      const noAuth = await runCli(args(T2), { env: { JOBLOCK_REDIS_URL: `redis://127.0.0.1:${own.port}` } });
      expect(noAuth.code).toBe(EXIT_LOCK_STORE_UNAVAILABLE);
      expect(noAuth.stderr).toMatch(/NOAUTH/);

      const untrusted = await runCli(args(T2), { env: { JOBLOCK_REDIS_URL: `rediss://:s3cret%2F%2B@localhost:${tlsPort}` } });
      expect(untrusted.code).toBe(EXIT_LOCK_STORE_UNAVAILABLE);
      expect(untrusted.stderr).toMatch(/certificate/);
      expect(lines(out)).toEqual(['ran']);
    } finally {
      await own.dispose();
    }
  });

  test('exit status: the command\'s own code, 128+N when killed by signal N, 127 (nothing claimed) when not found', async () => {
    expect((await runCli(jobArgs('status', T1, '5s', 'exit 7'))).code).toBe(7);
    expect((await runCli(jobArgs('status', T2, '5s', 'kill -USR1 $$'))).code).toBe(128 + 10);
    const missing = await runCli(['run', '--name', 'status', '--ttl', '5s', '--tick', T3, '--', 'no-such-command-joblock']);
    expect(missing.code).toBe(EXIT_COMMAND_NOT_FOUND);
    expect(missing.stderr).toMatch(/command "no-such-command-joblock" not found in PATH; nothing was claimed/);
    expect(await redis.exists(JobLock.keys('status', T3).tick)).toBe(0);
  });

  test('SIGTERM to joblock is forwarded to the command; the lock is released and the outcome recorded', async () => {
    const out = file('forward.txt');
    const holder = startCli(jobArgs('forward', T1, '5s', 'echo started >> "$1"; exec sleep 30', [out]));
    await waitFor('the job to start', () => lines(out).includes('started'));
    holder.child.kill('SIGTERM');
    const result = await holder.done;
    expect(result.code).toBe(128 + 15);
    expect(result.stderr).toMatch(/received SIGTERM, forwarding it to the command/);
    expect(await redis.exists(JobLock.keys('forward', T1).lock)).toBe(0);
    expect(await redis.hgetall(JobLock.keys('forward', T1).tick)).toMatchObject({ state: 'finished', exit: '143' });
  });

  test('bad flags are usage errors that name the flag; --help prints usage and exits 0', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--nmae', 'x', '--ttl', '5m', '--', 'true'], /unknown flag "--nmae": did you mean --name\?/],
      [['run', '--ttl', '5m', '--', 'true'], /missing --name/],
      [['run', '--name', 'x', '--ttl', '5x', '--', 'true'], /--ttl: invalid duration "5x"/],
      [['run', '--name', 'x', '--ttl', '0', '--', 'true'], /--ttl "0" is too short: it must be at least 1s/],
      [['run', '--name', 'x', '--ttl', '5m', '--'], /missing command after "--"/],
      [['run', '--name', 'x', '--ttl', '5m', 'true'], /unexpected argument "true": put the command after "--"/],
      [['run', '--name', 'x', '--ttl', '5m', '--keep', '1m', '--', 'true'], /--keep "1m" is shorter than --ttl "5m"/],
      [['run', '--name', 'x', '--ttl', '5m', '--tick', '2026-11-22T08:00:00', '--', 'true'], /--tick: invalid tick .* no time zone/],
      [[], /missing subcommand/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((result, i) => {
      expect([cases[i][0], result.code]).toEqual([cases[i][0], EXIT_USAGE]);
      expect(result.stderr).toMatch(cases[i][1]);
      expect(result.stderr).toMatch(/Run "joblock run --help" for usage\./);
    });
    const noStore = await runCli(['run', '--name', 'x', '--ttl', '5m', '--', 'true'], { env: { JOBLOCK_REDIS_URL: undefined } });
    expect(noStore.code).toBe(EXIT_USAGE);
    expect(noStore.stderr).toMatch(/no lock store: set JOBLOCK_REDIS_URL or pass --redis/);

    for (const args of [['--help'], ['-h'], ['run', '--help']]) {
      const help = await runCli(args);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: joblock run --name NAME --ttl DURATION \[--tick TIME\]/);
      expect(help.stdout).toMatch(/--keep DURATION/);
      expect(help.stdout).toMatch(/200 +skipped/);
      expect(help.stderr).toBe('');
    }
  });
});

/** A throwaway CA and a server certificate for localhost / 127.0.0.1, made with openssl. */
function makeCertificates(certDir: string): { ca: string; cert: string; key: string } {
  execFileSync('mkdir', ['-p', certDir]);
  const p = (name: string) => join(certDir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=joblock-test-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(p('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.crt'), '-days', '2', '-extfile', p('ext.cnf'));
  return { ca: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}
