import * as fs from 'fs';
import { CliCommand, CliIo, UsageError } from '../command';
import { PROFILE_FLAGS, PROFILE_FLAGS_USAGE, numberFlag, parseFlags, profileFromFlags } from '../flags';
import { spikeChartSvg } from '../spike-chart';
import {
  DEFAULT_AVAILABILITY_OBJECTIVE_PERCENT, DEFAULT_BASELINE_REQUESTS_PER_SECOND, METRIC_PUBLICATION_DELAY_SECONDS, SPIKE_METADATA_KEY,
} from '../../lib/spike/constants';
import { DEFAULT_BOOT_SECONDS, DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE, DEFAULT_WARM_START_SECONDS, SpikeInputError } from '../../lib/spike/model';
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
  `  --rps-per-instance N    requests per second one instance serves at full CPU (default: the tier's declared rate, else ${DEFAULT_REQUESTS_PER_SECOND_PER_INSTANCE})`,
  `  --boot-seconds N        seconds from launch until the app answers (default: the group's declared boot, else ${DEFAULT_BOOT_SECONDS})`,
  `  --warm-start-seconds N  seconds from leaving a warm pool until the app answers (default: declared, else ${DEFAULT_WARM_START_SECONDS}; 0 for running pools)`,
  `  --baseline-rps N        demand before the spike (default: the tier's declared baseline, else ${DEFAULT_BASELINE_REQUESTS_PER_SECOND})`,
  `  --metric-delay-seconds N  seconds after a datapoint's minute until alarms see it (default ${METRIC_PUBLICATION_DELAY_SECONDS}; 600 for five-minute data)`,
  `  --availability-objective P  percent of requests answered that the error budget is counted against (default: the tier's SLO, else ${DEFAULT_AVAILABILITY_OBJECTIVE_PERCENT})`,
  '  --at ISO-8601           when the spike starts, so that scheduled actions fire (default: they are left out)',
  '  --json                  print one JSON object (minutesToAbsorb is null when capacity never covers demand)',
  '  --svg FILE              write a chart of demand vs in-service capacity',
  '  --expect-minutes N      exit 1 unless capacity covers demand within N minutes',
  '',
  `What a template cannot say (boot, warm start, rate, baseline, objective) comes from the group's ${SPIKE_METADATA_KEY}`,
  'metadata when a tier declared it, else from defaults that are the same for every template, so two templates compare fairly.',
  'Exit codes: 0 simulated (and within --expect-minutes), 1 not within --expect-minutes, or a template or group that cannot',
  'be read, 64 bad usage (an unknown flag, a missing or invalid value of a flag).',
].join('\n');

const VALUE_FLAGS = new Set(['--group', ...PROFILE_FLAGS, '--rps-per-instance',
  '--boot-seconds', '--warm-start-seconds', '--baseline-rps', '--at', '--svg', '--expect-minutes', '--metric-delay-seconds', '--availability-objective']);
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
    // Added fields (never renamed): flaps, cost, the error budget, and what the model assumed.
    minutesToFirstCover: s.minutesToFirstCover ?? null,
    minutesToServeAll: s.minutesToServeAll ?? null,
    coverageLosses: s.coverageLosses,
    overProvisionedInstanceHours: s.overProvisionedInstanceHours,
    extraInstancesAtPeak: s.extraInstancesAtPeak,
    requestsOverCapacity: s.requestsOverCapacity,
    shareOfRequestsUnserved: s.shareOfRequestsUnserved,
    requestsUnserved: s.requestsUnserved,
    availabilityObjectivePercent: s.availabilityObjectivePercent,
    errorBudgetShareBurned: s.errorBudgetShareBurned,
    warmStartSeconds: result.model.warmStartSeconds,
    metricPublicationDelaySeconds: result.model.metricPublicationDelaySeconds ?? METRIC_PUBLICATION_DELAY_SECONDS,
    spot: result.model.spot ?? false,
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
    `  minutes until capacity covers demand  ${s.minutesToAbsorb === undefined ? 'never' : s.minutesToAbsorb.toFixed(1)}` +
      (s.coverageLosses > 0 ? ` (then ${s.coverageLosses} flap(s): every request served after ${s.minutesToServeAll === undefined ? 'never' : s.minutesToServeAll.toFixed(1)})` : ''),
    `  requests over capacity (first 30 min) ${(s.shareOfRequestsOverCapacity * 100).toFixed(1)} %` +
      (s.shareOfRequestsUnserved > s.shareOfRequestsOverCapacity + 1e-9 ? ` (${(s.shareOfRequestsUnserved * 100).toFixed(1)} % unserved, flaps included)` : ''),
    `  error budget burned                   ${(s.errorBudgetShareBurned * 100).toFixed(1)} % of a month's, at ${s.availabilityObjectivePercent} % availability`,
    `  peak instances                        ${s.peakInstances} (the peak needs ${s.instancesNeededAtPeak}${s.extraInstancesAtPeak > 0 ? `: ${s.extraInstancesAtPeak} over` : ''})`,
    `  instance-hours                        ${s.instanceHours.toFixed(2)} (${s.overProvisionedInstanceHours.toFixed(2)} above what demand needed)`,
    `  death spiral                          ${s.deathSpiral ? `yes: ${s.instancesReplacedUnderOverload} live instances replaced under overload` : 'no'}`,
    ...result.notes.map(n => `  note: ${n}`),
  ].join('\n');
}

/** Runs `build`; an invalid value that came from a flag is bad usage (exit 64), like a value that is not a number. */
function fromFlags<T>(build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof SpikeInputError) throw new UsageError(e.message);
    throw e;
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { template: file, flags } = parse(args);
  const profile = fromFlags(() => profileFromFlags(flags));
  const runOptions = {
    baselineRequestsPerSecond: numberFlag(flags, '--baseline-rps'),
    spikeStartsAt: flags.get('--at'),
  };
  if (runOptions.spikeStartsAt !== undefined && !Number.isFinite(Date.parse(runOptions.spikeStartsAt))) {
    throw new UsageError(`--at must be an ISO 8601 date and time (for example 2026-03-01T20:00:00Z), not ${JSON.stringify(runOptions.spikeStartsAt)}`);
  }
  for (const name of ['--rps-per-instance', '--boot-seconds', '--warm-start-seconds', '--baseline-rps', '--metric-delay-seconds', '--availability-objective', '--expect-minutes']) {
    const value = numberFlag(flags, name);
    const positive = name === '--rps-per-instance' || name === '--availability-objective';
    if (value !== undefined && (positive ? !(value > 0) : value < 0)) throw new UsageError(`${name} must be ${positive ? 'above 0' : 'at least 0'}, not ${value}`);
  }
  const objective = numberFlag(flags, '--availability-objective');
  if (objective !== undefined && objective >= 100) throw new UsageError(`--availability-objective must be below 100, not ${objective}`);
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
    metricPublicationDelaySeconds: numberFlag(flags, '--metric-delay-seconds'),
    availabilityObjectivePercent: objective,
  });
  if (runOptions.spikeStartsAt !== undefined && simulation.model.scheduledActions.length === 0) {
    io.err(`cdk-web-tiers spike: --at changes nothing: ${simulation.model.name} has no scheduled actions.`);
  }
  const result = simulation.run(profile, runOptions);
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
