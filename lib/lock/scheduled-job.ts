import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkTimeZone } from '../common/input-checks';
import { checkInteger, checkOptions, invalid } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { ITier } from '../fleet/tier';
import { cronToOnCalendar } from '../common/cron';
import { ScheduledJobOptions } from '../fleet/scheduled-job-options';
import { ScheduledJobAlarms } from '../observability/scheduled-job-alarms';
import { ErrorCode } from '../common/error-codes';
import { TierValidationError } from '../common/errors';

/** How long a tick's record outlives its run, so that a host firing late cannot run it again. */
const TICK_RECORD_KEEP = Duration.hours(24);

/**
 * A command that every instance of a tier schedules and exactly one runs per tick: each instance
 * gets a systemd timer that calls `joblock run --tick <scheduled time>`, and the lock lets one win.
 * The tier is allowed to use the lock automatically. `tier.addScheduledJob(name, options)` is the
 * same thing.
 */
export class ScheduledJob extends Construct {
  /** The job's alarms (nobody ran a tick, a tick ran twice, a run failed). */
  public readonly alarms: ScheduledJobAlarms;

  constructor(tier: ITier, name: string, options: ScheduledJobOptions) {
    // Checked before the construct exists: the name becomes part of its id.
    checkOptions(tier, 'ScheduledJob', { tier }, { tier: 'object!' });
    checkJobName(tier, name);
    checkJobOptions(tier, name, options);
    super(tier, `ScheduledJob-${name}`);
    this.alarms = installScheduledJob(tier, name, options);
  }
}

function checkJobName(tier: ITier, name: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
    invalid(tier, 'CWT509', 'name (scheduled job)', name, "Use lower-case letters, digits and dashes, for example 'nightly-cleanup'.");
  }
  if (tier.node.tryFindChild(`ScheduledJob-${name}`)) {
    invalid(tier, 'CWT510', 'name (scheduled job)', name, 'A job with this name is already scheduled on this tier: give each job its own name.');
  }
}

function checkJobOptions(tier: ITier, name: string, options: ScheduledJobOptions): void {
  // Callers in JavaScript or Python skip the type checker: name what is missing.
  if (options === undefined || options === null || typeof options !== 'object') {
    invalid(tier, 'CWT101', `addScheduledJob(${name})`, options, "Give the job's options: { schedule: '0 8 * * *', command: '...', jobLock: lock }.");
  }
  if (typeof options.schedule !== 'string') {
    invalid(tier, options.schedule == null ? 'CWT101' : 'CWT102', `addScheduledJob(${name}).schedule`, options.schedule, "Give a 5-field cron expression as a string, for example '0 8 * * *'.");
  }
  if (typeof options.command !== 'string') {
    invalid(tier, options.command == null ? 'CWT101' : 'CWT102', `addScheduledJob(${name}).command`, options.command, "Give the command to run as a string, for example 'php artisan schedule:cleanup'.");
  }
  if (options.jobLock === undefined || options.jobLock === null || typeof options.jobLock.allowFrom !== 'function') {
    invalid(tier, 'CWT140', `addScheduledJob(${name}).jobLock`, options.jobLock, 'Give the JobLock that lets one instance win each tick: { jobLock: lock, ... }.');
  }
}

function installScheduledJob(tier: ITier, name: string, options: ScheduledJobOptions): ScheduledJobAlarms {
  if (!Token.isUnresolved(options.command) && options.command.trim() === '') {
    invalid(tier, 'CWT511', `addScheduledJob(${name}).command`, options.command, "Give the command to run, for example 'php artisan schedule:cleanup'.");
  }
  const timeZone = options.timeZone ?? 'UTC';
  checkTimeZone(tier, `addScheduledJob(${name}).timeZone`, timeZone);
  let onCalendar: string;
  try {
    onCalendar = cronToOnCalendar(options.schedule, timeZone);
  } catch (e) {
    if (!(e instanceof TierValidationError)) throw e;
    return invalid(tier, e.code as ErrorCode, `addScheduledJob(${name}).schedule`, options.schedule, `${capitalize(e.fix)}; for example '0 8 * * *' runs at 08:00 every day.`);
  }
  const ttl = options.ttl ?? Duration.minutes(5);
  checkInteger(tier, 'CWT513', `addScheduledJob(${name}).ttl (seconds)`, ttl.toSeconds(), 10, TICK_RECORD_KEEP.toSeconds());

  options.jobLock.allowFrom(tier);
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
  // At the tier, not under the ScheduledJob, so that the alarms keep the logical ids they had.
  return new ScheduledJobAlarms(tier, `Job-${name}-Alarms`, { tier: tier.node.path, job: name, options: options.alarms });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
