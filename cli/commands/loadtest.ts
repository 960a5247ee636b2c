import * as fs from 'fs';
import { CliCommand, CliIo, UsageError } from '../command';
import { PROFILE_FLAGS, PROFILE_FLAGS_USAGE, numberFlag, parseFlags, profileFromFlags } from '../flags';
import { LoadTestScript } from '../../lib/delivery/load-test-script';

const USAGE = [
  'Usage: cdk-web-tiers loadtest --url URL --baseline-rps N [options]',
  '',
  'Writes a k6 script that replays a spike profile (the same profiles as `cdk-web-tiers spike`)',
  'against URL as a ramping-arrival-rate scenario, with thresholds on errors, p95 latency and dropped',
  'iterations. Run it with `k6 run FILE` (exit 99: a threshold failed). Aim it only at systems you own.',
  '',
  'Options:',
  '  --url URL               the page every request asks for (http:// or https://)',
  '  --baseline-rps N        requests per second before the spike (required)',
  ...PROFILE_FLAGS_USAGE,
  '  --time-scale X          replay faster, same rates: 0.1 plays an hour in six minutes (default 1)',
  '  --sources N             load generators running the script at once; each sends its share (default 1)',
  '  --max-error-rate X      largest share of failed requests (default 0.01)',
  '  --p95-ms N              largest 95th percentile response time in ms (default 1000)',
  '  --out FILE              write the script here (default: standard output)',
].join('\n');

const VALUE_FLAGS = new Set(['--url', '--baseline-rps', ...PROFILE_FLAGS, '--time-scale', '--sources', '--max-error-rate', '--p95-ms', '--out']);

async function run(args: string[], io: CliIo): Promise<number> {
  const { flags, positional } = parseFlags(args, VALUE_FLAGS);
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  const url = flags.get('--url');
  if (url === undefined) throw new UsageError('--url is required');
  const baseline = numberFlag(flags, '--baseline-rps');
  if (baseline === undefined) throw new UsageError('--baseline-rps is required (requests per second before the spike)');
  const script = LoadTestScript.k6({
    url,
    profile: profileFromFlags(flags),
    baselineRequestsPerSecond: baseline,
    timeScale: numberFlag(flags, '--time-scale'),
    sources: numberFlag(flags, '--sources'),
    maxErrorRate: numberFlag(flags, '--max-error-rate'),
    p95LatencyMillis: numberFlag(flags, '--p95-ms'),
  });
  const out = flags.get('--out');
  if (out === undefined) {
    io.out(script);
  } else {
    fs.writeFileSync(out, script);
    io.err(`wrote ${out}`);
  }
  return 0;
}

/** `cdk-web-tiers loadtest`: a k6 script from a spike profile. */
export const loadtestCommand: CliCommand = {
  name: 'loadtest',
  summary: 'write a k6 load test that replays a spike profile against a URL',
  usage: USAGE,
  run,
};
