/**
 * What a tier declares about its instances for the spike simulator: how long one takes from
 * launch until the app answers (boot) and from leaving a stopped warm pool (warm start), written
 * into the group's CloudFormation metadata under `cdk-web-tiers:spike` together with what the
 * tier knows of its capacity (requests per second per instance, availability objective). The
 * simulator, `expectSpike`, the CLI and the pipeline's gate read it back from the template.
 *
 * The boot is estimated from the boot steps the fleet runs: an image with the app baked in runs
 * only small steps; a source built at boot installs packages, clones and builds. The seconds per
 * step are this library's estimates, not AWS facts (AWS publishes none for user data): the
 * instance lab measures each example's real boot under systemd and fails when the declared value
 * is shorter (test/instance). A tier whose app is slower declares its own (`expectedBootTime`).
 */
import { Duration } from 'aws-cdk-lib';

/** The metadata key of the declaration on the AWS::AutoScaling::AutoScalingGroup (read by lib/spike). */
export const SPIKE_DECLARATION_METADATA_KEY = 'cdk-web-tiers:spike';

/**
 * Seconds from launch until the first boot step runs: EC2 pending to running and the OS boot up
 * to cloud-init's user data (the pessimistic end of the usual 30-60 s).
 */
export const LAUNCH_TO_USER_DATA_SECONDS = 60;

/** Seconds from a stopped warm-pool instance's start until its resume service runs (instance start, OS resume). */
export const WARM_POOL_START_SECONDS = 30;

/** Seconds of a step not listed in {@link STEP_SECONDS}: writing files, starting a unit. */
export const SMALL_STEP_SECONDS = 3;

/** Estimated seconds of the steps that take long, by step name. */
export const STEP_SECONDS: Readonly<Record<string, number>> = {
  'install-packages': 90,
  'git-clone': 30,
  'build': 180,
  'cloudwatch-agent': 10,
  'wait-for-http': 20,
  'wait-for-health-command': 20,
};

/** Steps a stopped warm-pool instance runs again when it resumes (a git source pulls and rebuilds). */
const STEPS_RERUN_ON_RESUME = new Set(['git-clone', 'build', 'wait-for-http', 'wait-for-health-command']);

/** A boot estimate: seconds, and how it was reached. */
export interface BootEstimate {
  readonly bootSeconds: number;
  readonly warmStartSeconds: number;
  readonly basis: string;
}

/** Estimates boot and warm start from the fleet's boot steps, unless the user declared them. */
export function estimateBoot(stepNames: readonly string[], declaredBoot?: Duration, declaredWarmStart?: Duration): BootEstimate {
  const seconds = (name: string) => STEP_SECONDS[name] ?? SMALL_STEP_SECONDS;
  const built = stepNames.includes('build') || stepNames.includes('git-clone');
  const estimatedBoot = LAUNCH_TO_USER_DATA_SECONDS + stepNames.reduce((sum, n) => sum + seconds(n), 0);
  const estimatedWarm = WARM_POOL_START_SECONDS + stepNames.filter(n => STEPS_RERUN_ON_RESUME.has(n)).reduce((sum, n) => sum + seconds(n), 0);
  const boot = declaredBoot?.toSeconds() ?? estimatedBoot;
  const warm = Math.min(boot, declaredWarmStart?.toSeconds() ?? estimatedWarm);
  const basis = declaredBoot !== undefined ? 'declared by the tier (expectedBootTime)'
    : `estimated from ${stepNames.length} boot steps, ${built ? 'app built at boot (packages, clone, build; rebuilt on warm-pool resume)' : 'app baked into the image'}`;
  return { bootSeconds: Math.round(boot), warmStartSeconds: Math.round(warm), basis };
}
