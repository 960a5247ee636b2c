import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkTimeZone } from '../common/input-checks';
import { checkInteger, invalid } from '../common/validation';
import { bootFile } from '../fleet/boot-script';
import { BootPhase } from '../fleet/boot-step';
import { ITier } from '../fleet/tier';
import { cronToOnCalendar } from '../common/cron';
import { ScheduledJobOptions } from '../fleet/scheduled-job-options';
import { ScheduledJobAlarms } from '../observability/scheduled-job-alarms';

/** How long a tick's record outlives its run, so that a host firing late cannot run it again. */
const TICK_RECORD_KEEP = Duration.hours(24);

/**
 * A command that every instance of a tier schedules and exactly one runs per tick: each instance
 * gets a systemd timer that calls `joblock run --tick <scheduled time>`, and the lock lets one win.
 * The tier is allowed to use the lock automatically. `tier.addScheduledJob(name, options)` is the
 * same thing.
 */
export class ScheduledJob extends Construct {
  constructor(tier: ITier, name: string, options: ScheduledJobOptions) {
    // Checked before the construct exists: the name becomes part of its id.
    checkJobName(tier, name);
    super(tier, `ScheduledJob-${name}`);
    installScheduledJob(tier, name, options);
  }
}

function checkJobName(tier: ITier, name: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
    invalid(tier, 'name (scheduled job)', name, "Use lower-case letters, digits and dashes, for example 'nightly-cleanup'.");
  }
  if (tier.node.tryFindChild(`ScheduledJob-${name}`)) {
    invalid(tier, 'name (scheduled job)', name, 'A job with this name is already scheduled on this tier: give each job its own name.');
  }
}

function installScheduledJob(tier: ITier, name: string, options: ScheduledJobOptions): void {
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
  const ttl = options.ttl ?? Duration.minutes(5);
  checkInteger(tier, `addScheduledJob(${name}).ttl (seconds)`, ttl.toSeconds(), 10, TICK_RECORD_KEEP.toSeconds());

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
  new ScheduledJobAlarms(tier, `Job-${name}-Alarms`, { tier: tier.node.path, job: name, options: options.alarms });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
