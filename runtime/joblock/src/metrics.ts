/**
 * Tick outcomes as CloudWatch metrics, in the embedded metric format (EMF): one JSON line per
 * outcome appended to $JOBLOCK_METRICS_FILE. The CloudWatch agent on the instance ships that file
 * to the tier's log group, and CloudWatch Logs extracts the metrics from the JSON (the
 * `x-amzn-logs-format: json/emf` header is optional: "Using the PutLogEvents API to send
 * manually-created embedded metric format logs", Amazon CloudWatch User Guide). No
 * cloudwatch:PutMetricData permission and no network call from joblock.
 *
 * Every invocation writes one line at the tick's timestamp, so that the lines of all hosts for one
 * tick fall in the same minute: Invocations 1, and Ran, Skipped or StoreUnreachable 1 (the others 0).
 * The host that ran writes a second line when the command ends: Failed and LockLost (0 or 1).
 * The host that wins a tick after one whose holder died without releasing it adds Missed 1 to its
 * claim line (once per missed tick: only the winner sees it).
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const METRICS_FILE_ENV = 'JOBLOCK_METRICS_FILE';
export const METRICS_TIER_ENV = 'JOBLOCK_METRICS_TIER';
/** Namespace of the job metrics (lib/observability/scheduled-job-alarms.ts reads the same). */
export const METRICS_NAMESPACE = 'CdkWebTiers/Jobs';

/** What an invocation of joblock ended with, for the metrics. */
export type TickOutcomeMetrics =
  | { readonly phase: 'claim'; readonly ran: boolean; readonly skipped: boolean; readonly storeUnreachable: boolean; readonly failed?: boolean; readonly missed?: boolean }
  | { readonly phase: 'end'; readonly failed: boolean; readonly lockLost: boolean };




/** The EMF line of one outcome. */
export function emfLine(job: string, tier: string, tick: string, timestampMs: number, outcome: TickOutcomeMetrics): string {
  const values: Record<string, number> = outcome.phase === 'claim'
    ? { Invocations: 1, Ran: num(outcome.ran), Skipped: num(outcome.skipped), StoreUnreachable: num(outcome.storeUnreachable) }
    : { Failed: num(outcome.failed), LockLost: num(outcome.lockLost) };
  // A command that could not start is claimed by nobody and failed here.
  if (outcome.phase === 'claim' && outcome.failed) values.Failed = 1;
  // The previous tick's holder died: that tick was missed.
  if (outcome.phase === 'claim' && outcome.missed) values.Missed = 1;
  const names = Object.keys(values);
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['Tier', 'Job']],
        Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
      }],
    },
    Tier: tier,
    Job: job,
    ...values,
    Tick: tick,
    Host: hostname(),
  });
}

/**
 * Appends an outcome to $JOBLOCK_METRICS_FILE when it is set. Never throws: metrics must not
 * change what the job does; a write error is reported on stderr.
 */
export function recordOutcome(env: Readonly<Record<string, string | undefined>>, job: string, tick: string, timestampMs: number,
  outcome: TickOutcomeMetrics, err: (text: string) => void): void {
  const file = env[METRICS_FILE_ENV];
  if (!file) return;
  try {
    appendFileSync(file, emfLine(job, env[METRICS_TIER_ENV] || 'default', tick, timestampMs, outcome) + '\n');
  } catch (e) {
    err(`joblock: could not write metrics to ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

function num(flag: boolean): number {
  return flag ? 1 : 0;
}


