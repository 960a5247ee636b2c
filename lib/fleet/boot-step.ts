import { Duration } from 'aws-cdk-lib';

/**
 * The phases of an instance's boot, in the order they run.
 *
 * Steps run phase by phase; inside a phase, in the order they were added.
 */
export enum BootPhase {
  /** Packages, users, log shipping: everything later phases rely on. */
  PREPARE = 'prepare',
  /** File systems (for example `SharedUploads.mountOn`). */
  MOUNT = 'mount',
  /** Secrets and configuration written to disk (env files, lock credentials). */
  FETCH_SECRETS = 'fetch-secrets',
  /** Application code (for example a git clone). */
  FETCH_CODE = 'fetch-code',
  /** Build commands. */
  BUILD = 'build',
  /** Services, timers and agents started. */
  START = 'start',
  /** Readiness: waits for the app to answer, then signals CloudFormation. */
  SIGNAL = 'signal',
}

/**
 * One named step of an instance's boot script.
 *
 * Every step runs with a time limit, and the whole boot with a deadline counted from its first
 * start (the deployment timeout less 5 minutes): a step that runs out is stopped with its processes,
 * and the boot signals FAILURE naming it and abandons the launch, before CloudFormation gives up.
 */
export interface BootStep {
  /**
   * Name of the step, unique within a tier; shown in the boot log and in the failure signal.
   * Lower-case letters, digits and dashes.
   */
  readonly name: string;
  /** The phase the step runs in. */
  readonly phase: BootPhase;
  /** Bash script body. Runs with `set -euo pipefail` in its own process. */
  readonly script: string;
  /**
   * Environment variables the step runs with. Values may contain CloudFormation tokens
   * (ARNs, ids); they are quoted for bash.
   *
   * @default - only the variables every step gets (CWT_REGION, CWT_STACK, INSTANCE_ID, ...)
   */
  readonly environment?: Record<string, string>;
  /**
   * How long the step may run before it is stopped and the boot fails. Whatever is set, a step
   * stops at the boot's deadline at the latest.
   *
   * @default - by phase: prepare 10 minutes, mount 5, fetch-secrets 2, fetch-code 5, build 20,
   * start 5; signal: until the boot's deadline
   */
  readonly timeLimit?: Duration;
}
