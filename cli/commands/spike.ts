import * as fs from 'fs';
import { CliCommand, CliIo, UsageError } from '../command';
import { PROFILE_FLAGS, PROFILE_FLAGS_USAGE, numberFlag, parseFlags, profileFromFlags } from '../flags';
import { spikeChartSvg } from '../spike-chart';
import { DEFAULT_BOOT_SECONDS, DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE, DEFAULT_WARM_START_SECONDS } from '../../lib/spike/model';
import { SpikeResult } from '../../lib/spike/simulator';
import { SpikeSimulation } from '../../lib/spike/spike-simulation';

const USAGE = [
  'Usage: cdk-web-tiers spike <template.json> --group <id|path|logical id> [options]',
  '',
  'Simulates a demand spike against one Auto Scaling group of a synthesized template: its scaling',
  'policies and their alarms, scheduled actions, warm pool, health checks and target group, read from',
  'the template (any template, not only this library\'s). Prints when capacity covers demand.',
  '',
  'Options:',
  '  --group G               the group: a tier\'s id (Web), a construct path (Stack/Web), or the logical id',
  '                          of any AWS::AutoScaling::AutoScalingGroup',
  ...PROFILE_FLAGS_USAGE,
  `  --rps-per-instance N    requests per second one instance serves at full CPU (default ${DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE})`,
  `  --boot-seconds N        seconds from launch until the app answers (default ${DEFAULT_BOOT_SECONDS})`,
  `  --warm-start-seconds N  seconds from leaving a warm pool until the app answers (default ${DEFAULT_WARM_START_SECONDS}; 0 for running pools)`,
  '  --baseline-rps N        demand before the spike (default: half of what the starting instances serve)',
  '  --at ISO-8601           when the spike starts, so that scheduled actions fire (default: they are left out)',
  '  --json                  print one JSON object (minutesToAbsorb is null when capacity never covers demand)',
  '  --svg FILE              write a chart of demand vs in-service capacity',
  '  --expect-minutes N      exit 1 unless capacity covers demand within N minutes',
  '',
  'The defaults are the same for every template, so two templates compare fairly.',
  'Exit codes: 0 simulated (and within --expect-minutes), 1 not within --expect-minutes or unreadable input, 64 bad usage.',
].join('\n');

const VALUE_FLAGS = new Set(['--group', ...PROFILE_FLAGS, '--rps-per-instance',
  '--boot-seconds', '--warm-start-seconds', '--baseline-rps', '--at', '--svg', '--expect-minutes']);
const BOOLEAN_FLAGS = new Set(['--json']);

function parse(args: string[]): { template: string; flags: Map<string, string> } {
  const { flags, positional } = parseFlags(args, VALUE_FLAGS, BOOLEAN_FLAGS);
  if (positional.length !== 1) throw new UsageError('give exactly one template file');
  if (!flags.has('--group')) throw new UsageError('--group is required (a tier\'s id, a construct path or a logical id)');
  return { template: positional[0], flags };
}

/** The object `--json` prints. */
export function spikeJson(result: SpikeResult): Record<string, unknown> {
  const s = result.summary;
  return {
    group: result.model.name,
    profile: result.profile,
    baselineRequestsPerSecond: result.baselineRequestsPerSecond,
    minutesToAbsorb: s.minutesToAbsorb ?? null,
    shareOfRequestsOverCapacity: s.shareOfRequestsOverCapacity,
    peakInstances: s.peakInstances,
    instanceHours: s.instanceHours,
    deathSpiral: s.deathSpiral,
    instancesReplacedUnderOverload: s.instancesReplacedUnderOverload,
    firstScaleOutSeconds: s.firstScaleOutSeconds ?? null,
    instancesNeededAtPeak: s.instancesNeededAtPeak,
    maxCapacityReached: s.maxCapacityReached,
    requestsPerSecondPerInstance: result.model.requestsPerSecondPerInstance,
    bootSeconds: result.model.bootSeconds,
    notes: result.notes,
  };
}

function describe(result: SpikeResult): string {
  const s = result.summary;
  const m = result.model;
  const policies = [
    ...m.targetTracking.map(p => `target tracking ${p.metric.metric} at ${p.targetValue}`),
    ...m.stepScaling.map(p => `step scaling on ${p.alarm.metric.metric} ${p.alarm.comparison} ${p.alarm.threshold}`),
    ...m.simpleScaling.map(p => `simple scaling on ${p.alarm.metric.metric} ${p.alarm.comparison} ${p.alarm.threshold}`),
  ];
  return [
    `${result.profile} against ${m.name}`,
    `  group ${m.minCapacity}-${m.maxCapacity} (starts at ${m.desiredCapacity}), ${m.healthCheckType} health checks, ${m.detailedMonitoring ? 'detailed' : 'basic'} monitoring` +
      `${m.warmPool ? `, warm pool (${m.warmPool.state}, min ${m.warmPool.minSize})` : ''}`,
    `  policies: ${policies.length ? policies.join('; ') : 'none'}`,
    `  ${m.requestsPerSecondPerInstance} requests/s per instance, ${m.bootSeconds} s boot, baseline ${result.baselineRequestsPerSecond} requests/s`,
    '',
    `  minutes until capacity covers demand  ${s.minutesToAbsorb === undefined ? 'never' : s.minutesToAbsorb.toFixed(1)}`,
    `  requests over capacity (first 30 min) ${(s.shareOfRequestsOverCapacity * 100).toFixed(1)} %`,
    `  peak instances                        ${s.peakInstances} (the peak needs ${s.instancesNeededAtPeak})`,
    `  instance-hours                        ${s.instanceHours.toFixed(2)}`,
    `  death spiral                          ${s.deathSpiral ? `yes: ${s.instancesReplacedUnderOverload} live instances replaced under overload` : 'no'}`,
    ...result.notes.map(n => `  note: ${n}`),
  ].join('\n');
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { template: file, flags } = parse(args);
  const profile = profileFromFlags(flags);
  let template: unknown;
  try {
    template = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (e) {
    throw new Error(`cannot read ${file} as a JSON template: ${(e as Error).message}`, { cause: e });
  }
  const simulation = SpikeSimulation.fromTemplate(template, flags.get('--group')!, {
    requestsPerSecondPerInstance: numberFlag(flags, '--rps-per-instance'),
    bootSeconds: numberFlag(flags, '--boot-seconds'),
    warmStartSeconds: numberFlag(flags, '--warm-start-seconds'),
  });
  const result = simulation.run(profile, { baselineRequestsPerSecond: numberFlag(flags, '--baseline-rps'), spikeStartsAt: flags.get('--at') });
  io.out(flags.has('--json') ? JSON.stringify(spikeJson(result), null, 2) : describe(result));
  const svg = flags.get('--svg');
  if (svg !== undefined) {
    fs.writeFileSync(svg, await spikeChartSvg(result));
    if (!flags.has('--json')) io.out(`  chart: ${svg}`);
  }
  const expected = numberFlag(flags, '--expect-minutes');
  if (expected !== undefined && (result.summary.minutesToAbsorb === undefined || result.summary.minutesToAbsorb > expected)) {
    io.err(`capacity does not cover demand within ${expected} minutes`);
    return 1;
  }
  return 0;
}

/** `cdk-web-tiers spike`: the spike simulator on a synthesized template. */
export const spikeCommand: CliCommand = {
  name: 'spike',
  summary: 'simulate a demand spike against an Auto Scaling group of a synthesized template',
  usage: USAGE,
  run,
};
