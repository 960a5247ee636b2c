import { Duration } from 'aws-cdk-lib';
import { ScheduledJobAlarmOptions } from '../observability/scheduled-job-alarms';
import { ITier } from './tier';

/**
 * A lock that lets exactly one instance of a tier run each tick of a scheduled job. `JobLock`
 * implements it: the job's timer runs `joblock run`, which `allowFrom` installs on the tier, so
 * another implementation must install a `joblock` CLI of its own in `allowFrom`.
 *
 * The fleet core knows only this interface, so `tier.addScheduledJob` needs no import of the lock
 * feature: the tier hands the job to the lock it was given.
 */
export interface IJobLock {
  /** Lets the tier's instances reach the lock (network, token, the `joblock` CLI). */
  allowFrom(tier: ITier): void;
  /** Installs the job on every instance of the tier, each tick run by the instance that wins the lock. */
  scheduleJob(tier: ITier, name: string, options: ScheduledJobOptions): void;
}

/**
 * A job that every instance of a tier schedules and exactly one runs per tick.
 */
export interface ScheduledJobOptions {
  /**
   * When, as a 5-field cron expression (minute hour day-of-month month day-of-week), for example
   * '0 8 * * *' for 08:00 every day. A tick missed while no instance was up is skipped, not caught up.
   */
  readonly schedule: string;
  /** Shell command, run as the app user in the app folder with the app environment loaded. */
  readonly command: string;
  /**
   * The lock that lets one instance win each tick. The tier is allowed to use it automatically.
   * (Named `jobLock`, not `lock`: `lock` is a reserved word in C#.)
   */
  readonly jobLock: IJobLock;
  /**
   * Lock lease: how long a crashed runner keeps the job locked. A running job renews it every
   * third of it, so jobs may run longer than this. 10 seconds to 24 hours.
   *
   * @default Duration.minutes(5)
   */
  readonly ttl?: Duration;
  /**
   * IANA time zone of the schedule, for example 'Europe/Paris'.
   *
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Alarms on the job's ticks (nobody ran, ran twice, run failed).
   *
   * @default - all three
   */
  readonly alarms?: ScheduledJobAlarmOptions;
}
