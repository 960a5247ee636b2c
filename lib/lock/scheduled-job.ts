import { Duration, Token } from 'aws-cdk-lib';
import { checkTimeZone } from '../common/input-checks';
import { checkInteger, invalid } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { ITier } from '../fleet/tier';
import { cronMinIntervalSeconds, cronToOnCalendar } from './cron';
import { JobLock } from './job-lock';
import { ScheduledJobAlarmOptions, ScheduledJobAlarms } from '../observability/scheduled-job-alarms';

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
  readonly jobLock: JobLock;
  /**
   * Lock lease: how long a crashed runner keeps the job locked. A running job renews it every
   * third of it, so jobs may run longer than this. It must be shorter than the shortest interval
   * between two ticks of the schedule, so that a host that dies mid-run frees the next tick (its
   * own tick is then recorded as missed and alarmed). 10 seconds to 24 hours.
   *
   * @default - half the schedule's shortest interval, at most 5 minutes (30 seconds for a job every minute)
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

/** How long a tick's record outlives its run, so that a host firing late cannot run it again. */
const TICK_RECORD_KEEP = Duration.hours(24);

/**
 * Installs a scheduled job on every instance of a tier: a systemd timer that calls
 * `joblock run --tick <scheduled time>`.
 * @internal
 */
export function addScheduledJob(tier: ITier, name: string, options: ScheduledJobOptions): void {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
    invalid(tier, 'name (scheduled job)', name, "Use lower-case letters, digits and dashes, for example 'nightly-cleanup'.");
  }
  if (!Token.isUnresolved(options.command) && options.command.trim() === '') {
    invalid(tier, `addScheduledJob(${name}).command`, options.command, "Give the command to run, for example 'php artisan schedule:cleanup'.");
  }
  const timeZone = options.timeZone ?? 'UTC';
  checkTimeZone(tier, `addScheduledJob(${name}).timeZone`, timeZone);
  let onCalendar: string;
  try {
    onCalendar = cronToOnCalendar(options.schedule, timeZone);
  } catch (e) {
    return invalid(tier, `addScheduledJob(${name}).schedule`, options.schedule, `${capitalize((e as Error).message)}; for example '0 8 * * *' runs at 08:00 every day.`);
  }
  const interval = cronMinIntervalSeconds(options.schedule);
  const ttl = options.ttl ?? Duration.seconds(Math.max(10, Math.min(300, Math.floor(interval / 2))));
  checkInteger(tier, `addScheduledJob(${name}).ttl (seconds)`, ttl.toSeconds(), 10, TICK_RECORD_KEEP.toSeconds());
  if (!ttl.isUnresolved() && ttl.toSeconds() >= interval) {
    invalid(tier, `addScheduledJob(${name}).ttl`, ttl.toHumanString(),
      `The schedule '${options.schedule}' can fire ${Duration.seconds(interval).toHumanString()} after a tick: a lease that long lets a host that dies ` +
      `mid-run keep the lock past the next tick, which every host would then skip. Use less than ${Duration.seconds(interval).toHumanString()} ` +
      `(the default is half of it, at most 5 minutes); a running job renews its lease, so it may run longer.`);
  }

  options.jobLock.allowFrom(tier);
  try {
    tier.addBootStep({
      name: `job-${name}`,
      phase: BootPhase.START,
      script: bootFile('scheduled-job.sh'),
      environment: {
        JOB_NAME: name,
        JOB_COMMAND: options.command,
        ON_CALENDAR: onCalendar,
        JOB_TTL: `${ttl.toSeconds()}s`,
        JOB_KEEP: `${TICK_RECORD_KEEP.toSeconds()}s`,
        APP_USER: tier.appUser,
        JOB_TIER: tier.node.path,
      },
    });
  } catch {
    invalid(tier, 'name (scheduled job)', name, 'A job with this name is already scheduled on this tier: give each job its own name.');
  }
  new ScheduledJobAlarms(tier, `Job-${name}-Alarms`, { tier: tier.node.path, job: name, options: options.alarms });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
