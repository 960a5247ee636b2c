/**
 * The k6 script generated from a spike profile, run by the real k6 against a small server on
 * loopback with a short, bounded load: the arrival rates the server sees follow the profile, and
 * k6's thresholds pass on a healthy server and fail on a broken one. Nothing but 127.0.0.1 is ever
 * targeted.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../cli/main';
import { LoadTestScript, SpikeProfile } from '../../lib';
import { k6Binary } from './k6';

interface Server { readonly url: string; readonly arrivals: number[]; close(): Promise<void> }

/** A loopback server that counts requests per second since its start and answers `status`. */
async function server(status: number): Promise<Server> {
  const started = Date.now();
  const arrivals: number[] = [];
  const srv = http.createServer((_req, res) => {
    const second = Math.floor((Date.now() - started) / 1000);
    arrivals[second] = (arrivals[second] ?? 0) + 1;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, arrivals, close: () => new Promise(resolve => srv.close(() => resolve())) };
}

/** Runs k6 without blocking this process, whose event loop serves the requests. */
async function k6Run(script: string, env: Record<string, string> = {}): Promise<{ status: number | null; summary: any; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-k6-'));
  const file = path.join(dir, 'load.js');
  fs.writeFileSync(file, script);
  const summaryFile = path.join(dir, 'summary.json');
  const child = spawn(k6Binary(), ['run', '--quiet', '--no-usage-report', '--summary-export', summaryFile, file], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  // Bounded: every profile here lasts under 20 s.
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const status = await new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
  clearTimeout(timer);
  return { status, summary: fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf-8')) : undefined, stderr };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// A 4x step from 10 to 40 requests/s, a minute each side, replayed at a tenth of real time: 6 s + 6 s.
const STEP = SpikeProfile.step({ factor: 4, leadMinutes: 1, holdMinutes: 1 });

describe('the generated k6 script, run by the real k6 on loopback', () => {
  test('the arrival rates the server sees follow the profile, and the thresholds pass', async () => {
    const srv = await server(200);
    try {
      const run = await k6Run(LoadTestScript.k6({ url: srv.url, profile: STEP, baselineRequestsPerSecond: 10, timeScale: 0.1 }));
      expect(run.stderr).not.toMatch(/level=error/);
      expect(run.status).toBe(0);
      const perSecond = Array.from({ length: srv.arrivals.length }, (_, i) => srv.arrivals[i] ?? 0);
      // Whole seconds inside each plateau (the first and the step's second are partial).
      expect(mean(perSecond.slice(1, 5))).toBeGreaterThan(7);
      expect(mean(perSecond.slice(1, 5))).toBeLessThan(13);
      expect(mean(perSecond.slice(8, 12))).toBeGreaterThan(32);
      expect(mean(perSecond.slice(8, 12))).toBeLessThan(48);
      // 6 s at 10/s, 1 s ramp, 6 s at 40/s: about 6*10 + 25 + 6*40 = 325 requests, all of them answered.
      const total = perSecond.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(280);
      expect(total).toBeLessThan(370);
      expect(run.summary.metrics.http_reqs.count).toBe(total);
      expect(run.summary.metrics.dropped_iterations?.count ?? 0).toBe(0);
    } finally {
      await srv.close();
    }
  });

  test('a server that answers 500 fails the error-rate threshold (k6 exits 99)', async () => {
    const srv = await server(500);
    try {
      const run = await k6Run(LoadTestScript.k6({ url: srv.url, profile: SpikeProfile.step({ factor: 2, leadMinutes: 0, holdMinutes: 1 }), baselineRequestsPerSecond: 5, timeScale: 0.05 }));
      expect(run.status).toBe(99);
      expect(run.summary.metrics.http_req_failed.value).toBe(1);
    } finally {
      await srv.close();
    }
  });
});

/**
 * A loopback stand-in for the stage's firewall: a per-IP rate limit (here 20 requests per client
 * address) that answers 403 once exceeded, except for requests whose x-cdk-web-tiers-load-test
 * header is the token, which it does not count, as the web ACL's scope-down statement does
 * ("If you define a scope-down statement for the rule, AWS WAF only aggregates, counts, and rate
 * limits requests that match the scope-down statement",
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-request-limiting.html).
 */
async function rateLimitedServer(token: string, limit: number): Promise<Server & { limited: () => number }> {
  const counts = new Map<string, number>();
  let limited = 0;
  const arrivals: number[] = [];
  const srv = http.createServer((req, res) => {
    const exempt = req.headers['x-cdk-web-tiers-load-test'] === token;
    const ip = req.socket.remoteAddress ?? '';
    const n = exempt ? 0 : (counts.get(ip) ?? 0) + 1;
    if (!exempt) counts.set(ip, n);
    const blocked = n > limit;
    if (blocked) limited++;
    res.writeHead(blocked ? 403 : 200, { 'content-type': 'text/plain' });
    res.end(blocked ? 'blocked' : 'ok');
  });
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/healthz`, arrivals, limited: () => limited, close: () => new Promise(resolve => srv.close(() => resolve())) };
}

describe('the staging load test against a per-IP rate limit (issue 17, item 5)', () => {
  const profile = SpikeProfile.step({ factor: 2, leadMinutes: 0, holdMinutes: 1 });
  const TOKEN = 'token-from-secrets-manager-0123456789';

  test('without the token, the rate limit answers 403 and k6 fails: the test measured the firewall', async () => {
    const srv = await rateLimitedServer(TOKEN, 20);
    try {
      const run = await k6Run(LoadTestScript.k6({ url: srv.url, profile, baselineRequestsPerSecond: 10, timeScale: 0.1 }));
      expect(run.status).toBe(99);
      expect(srv.limited()).toBeGreaterThan(0);
    } finally {
      await srv.close();
    }
  });

  test('with the token header (value from the environment, not the script), the same thresholds pass', async () => {
    const srv = await rateLimitedServer(TOKEN, 20);
    try {
      const script = LoadTestScript.k6({ url: srv.url, profile, baselineRequestsPerSecond: 10, timeScale: 0.1, tokenHeader: 'x-cdk-web-tiers-load-test' });
      expect(script).not.toContain(TOKEN);
      expect(script).toContain('"http_req_failed": [\n      "rate<0.01"');
      const run = await k6Run(script, { CDK_WEB_TIERS_LOAD_TEST_TOKEN: TOKEN });
      expect(run.status).toBe(0);
      expect(srv.limited()).toBe(0);
    } finally {
      await srv.close();
    }
  });

  test('an empty token stops the script before it sends anything', async () => {
    const srv = await rateLimitedServer(TOKEN, 20);
    try {
      const run = await k6Run(LoadTestScript.k6({ url: srv.url, profile, baselineRequestsPerSecond: 10, timeScale: 0.1, tokenHeader: 'x-cdk-web-tiers-load-test' }));
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('CDK_WEB_TIERS_LOAD_TEST_TOKEN is empty');
      expect(srv.limited()).toBe(0);
    } finally {
      await srv.close();
    }
  });
});

describe('the script', () => {
  test('is a ramping-arrival-rate scenario whose stages are the profile\'s, shared between sources', () => {
    const script = LoadTestScript.k6({ url: 'https://staging.example.com/', profile: SpikeProfile.tvAd({ factor: 15 }), baselineRequestsPerSecond: 20, sources: 2 });
    const options = JSON.parse(/export const options = (\{[\s\S]*?\n\});/.exec(script)![1]);
    const scenario = options.scenarios.spike;
    expect(scenario.executor).toBe('ramping-arrival-rate');
    expect(scenario.startRate).toBe(10);
    // tv-ad: 5 min lead, 60 s ramp to 15x, 20 min hold, 20 min decay, 10 min tail; each source sends half.
    expect(scenario.stages).toEqual([
      { duration: '300s', target: 10 }, { duration: '60s', target: 150 }, { duration: '1200s', target: 150 },
      { duration: '1200s', target: 10 }, { duration: '600s', target: 10 },
    ]);
    expect(options.thresholds).toEqual({ http_req_failed: ['rate<0.01'], http_req_duration: ['p(95)<1000'], dropped_iterations: [`count<${Math.ceil(150 * 3360 * 0.01)}`] });
    expect(script).toContain('peak 300 requests/s over 2 sources (this one sends 150/s)');
  });

  test.each([
    [{ url: 'ftp://x' }, /invalid url \("ftp:\/\/x"\)/],
    [{ baselineRequestsPerSecond: 0 }, /invalid baselineRequestsPerSecond \(0\)/],
    [{ timeScale: 2 }, /invalid timeScale \(2\)/],
    [{ sources: 0 }, /invalid sources \(0\)/],
    [{ maxErrorRate: 1 }, /invalid maxErrorRate \(1\)/],
  ])('bad input %j fails with the prop, the value and the fix', (bad, message) => {
    expect(() => LoadTestScript.k6({ url: 'https://x.example.com', profile: STEP, baselineRequestsPerSecond: 10, ...bad })).toThrow(message);
  });

  test('a factor of 1 or less is refused by the profile', () => {
    expect(() => SpikeProfile.tvAd({ factor: 1 })).toThrow(/factor/);
  });
});

describe('cdk-web-tiers loadtest', () => {
  function capture() {
    const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
    return io;
  }

  test('writes the same script as the library, to a file', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cwt-lt-')), 'load.js');
    const io = capture();
    expect(await runCli(['loadtest', '--url', 'https://staging.example.com/', '--baseline-rps', '20', '--profile', 'tv-ad', '--factor', '15', '--sources', '2', '--out', out], io)).toBe(0);
    expect(fs.readFileSync(out, 'utf-8')).toBe(LoadTestScript.k6({ url: 'https://staging.example.com/', profile: SpikeProfile.tvAd({ factor: 15 }), baselineRequestsPerSecond: 20, sources: 2 }));
  });

  test('usage errors exit 64; a factor of 1 exits 1 with the reason', async () => {
    let io = capture();
    expect(await runCli(['loadtest', '--baseline-rps', '5'], io)).toBe(64);
    expect(io.stderr).toContain('--url is required');
    io = capture();
    expect(await runCli(['loadtest', '--url', 'https://x.example.com', '--baseline-rps', '5', '--factor', '1'], io)).toBe(1);
    expect(io.stderr).toMatch(/factor/);
  });
});
