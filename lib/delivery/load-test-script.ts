import { SpikeProfile } from '../spike/profile';
import { invalidInput } from '../common/errors';
import { ErrorCode } from '../common/error-codes';
import { checkOptions } from '../common/validation';

/**
 * Options of {@link LoadTestScript.k6}.
 */
export interface K6ScriptOptions {
  /** The URL every request asks for (the tier's health-checked page, or a representative page). */
  readonly url: string;
  /** The demand shape: the same profiles the spike simulator replays. */
  readonly profile: SpikeProfile;
  /** Requests per second before the spike (the profile's factors multiply it). */
  readonly baselineRequestsPerSecond: number;
  /**
   * Replays the profile faster: 0.1 plays an hour in six minutes, at the same request rates.
   * Rates are what a fleet must absorb; a shorter replay tests that, but not long-running effects.
   *
   * @default 1 (real time)
   */
  readonly timeScale?: number;
  /**
   * How many load generators run this script at once (for example two CodeBuild projects): each
   * sends its share of the rate, so that together they send the profile.
   *
   * @default 1
   */
  readonly sources?: number;
  /**
   * Largest share of failed requests (HTTP errors and timeouts) before the test fails.
   *
   * @default 0.01 (1 %)
   */
  readonly maxErrorRate?: number;
  /**
   * Largest 95th percentile of response time, in milliseconds, before the test fails.
   *
   * @default 1000
   */
  readonly p95LatencyMillis?: number;
  /**
   * Send every request with this header, whose value k6 reads from the environment variable
   * `CDK_WEB_TIERS_LOAD_TEST_TOKEN` (never written into the script); the script stops before
   * sending anything when the variable is empty. With `TierLoadBalancer.exemptLoadTestFromRateLimit`
   * and header `x-cdk-web-tiers-load-test`, the firewall's per-IP rate limit does not count the test.
   *
   * @default - no header
   */
  readonly tokenHeader?: string;
}

/** Environment variable from which a k6 script with `tokenHeader` reads the header's value. */
export const LOAD_TEST_TOKEN_ENV = 'CDK_WEB_TIERS_LOAD_TEST_TOKEN';

/**
 * Load tests generated from a spike profile.
 */
export class LoadTestScript {
  /**
   * A k6 script (JavaScript) that replays the profile against `url` with a `ramping-arrival-rate`
   * scenario (open model: requests arrive at the profile's rate whether or not the server keeps up,
   * as real users do), with thresholds on the error rate, the 95th percentile latency, and the
   * iterations k6 had to drop (so that a passing test proves the load was really offered).
   * Run it with `k6 run script.js`; k6 exits 99 when a threshold fails.
   */
  public static k6(options: K6ScriptOptions): string {
    checkOptions(undefined, 'LoadTestScript.k6(options)', options, { url: 'string!', profile: 'object!', baselineRequestsPerSecond: 'number!', timeScale: 'number', sources: 'number', maxErrorRate: 'number', p95LatencyMillis: 'number' });
    const timeScale = options.timeScale ?? 1;
    const sources = options.sources ?? 1;
    const maxErrorRate = options.maxErrorRate ?? 0.01;
    const p95 = options.p95LatencyMillis ?? 1000;
    if (!/^https?:\/\/[^\s/$.?#][^\s]*$/.test(options.url)) {
      invalidInput('CWT910', 'url', options.url, "Give an http:// or https:// URL, for example 'https://staging.example.com/healthz'.");
    }
    check('CWT911', 'baselineRequestsPerSecond', options.baselineRequestsPerSecond, v => v > 0, 'Use the requests per second before the spike, above 0 (for example 20).');
    check('CWT912', 'timeScale', timeScale, v => v > 0 && v <= 1, 'Use a number above 0 and at most 1 (0.1 replays an hour in six minutes).');
    check('CWT913', 'sources', sources, v => Number.isInteger(v) && v >= 1 && v <= 20, 'Use a whole number of load generators from 1 to 20.');
    check('CWT914', 'maxErrorRate', maxErrorRate, v => v >= 0 && v < 1, 'Use a share from 0 to below 1, for example 0.01 for 1 %.');
    check('CWT915', 'p95LatencyMillis', p95, v => v > 0, 'Use milliseconds above 0, for example 500.');
    if (options.tokenHeader !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(options.tokenHeader)) {
      invalidInput('CWT916', 'tokenHeader', options.tokenHeader, "Give a header name of letters, digits and hyphens, for example 'x-cdk-web-tiers-load-test'.");
    }

    const share = (rps: number) => round(rps / sources);
    const stages = options.profile.toStages(options.baselineRequestsPerSecond)
      .map(s => ({ duration: `${Math.max(1, Math.round(s.durationSeconds * timeScale))}s`, target: share(s.endRequestsPerSecond) }));
    const startRate = share(options.profile.toStages(options.baselineRequestsPerSecond)[0].startRequestsPerSecond);
    const peak = Math.max(startRate, ...stages.map(s => s.target));
    const totalSeconds = stages.reduce((sum, s) => sum + parseInt(s.duration, 10), 0);
    // Enough virtual users for the peak at a 2 s response time; k6 counts the iterations it could not start.
    const maxVUs = Math.max(10, Math.ceil(peak * 2));
    const config = {
      discardResponseBodies: true,
      scenarios: {
        spike: {
          executor: 'ramping-arrival-rate',
          startRate,
          timeUnit: '1s',
          preAllocatedVUs: Math.max(5, Math.ceil(peak / 2)),
          maxVUs,
          stages,
        },
      },
      thresholds: {
        http_req_failed: [`rate<${maxErrorRate}`],
        http_req_duration: [`p(95)<${p95}`],
        // At most 1 % of the planned requests may go unsent: otherwise the generator, not the fleet, was the limit.
        dropped_iterations: [`count<${Math.max(1, Math.ceil(peak * totalSeconds * 0.01))}`],
      },
    };
    return [
      `// k6 load test generated by cdk-web-tiers from the profile "${options.profile.name}":`,
      `// baseline ${options.baselineRequestsPerSecond} requests/s, peak ${round(peak * sources)} requests/s` +
        `${sources > 1 ? ` over ${sources} sources (this one sends ${peak}/s)` : ''}, ${totalSeconds} s` +
        `${timeScale !== 1 ? ` (time scale ${timeScale})` : ''}.`,
      '// Run: k6 run <this file>. Exit code 99 means a threshold failed.',
      "import http from 'k6/http';",
      "import { check } from 'k6';",
      '',
      `export const options = ${JSON.stringify(config, null, 2)};`,
      '',
      `const URL = ${JSON.stringify(options.url)};`,
      ...(options.tokenHeader ? [
        `// The token that lets the load generators through the firewall's per-IP rate limit, from the environment.`,
        `const TOKEN = __ENV.${LOAD_TEST_TOKEN_ENV};`,
        `if (!TOKEN) throw new Error('${LOAD_TEST_TOKEN_ENV} is empty: the firewall would rate-limit this test by IP');`,
        `const PARAMS = { timeout: '10s', headers: { ${JSON.stringify(options.tokenHeader)}: TOKEN } };`,
      ] : [
        "const PARAMS = { timeout: '10s' };",
      ]),
      '',
      'export default function () {',
      '  const res = http.get(URL, PARAMS);',
      "  check(res, { 'status is 2xx or 3xx': (r) => r.status >= 200 && r.status < 400 });",
      '}',
      '',
    ].join('\n');
  }
}

function check(code: ErrorCode, prop: string, value: number, ok: (v: number) => boolean, fix: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) invalidInput(code, prop, value, fix);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
