import { Duration } from 'aws-cdk-lib';

/**
 * One row of the multi-window, multi-burn-rate alert table of the Google SRE workbook
 * (chapter 5 "Alerting on SLOs", section "Multiwindow, Multi-Burn-Rate Alerts", table 5-8
 * "Recommended parameters for a 99.9% SLO alerting configuration"): alert when the share of the
 * error budget named here would be spent within the long window, confirmed by the short window
 * (1/12 of the long one) so that the alert resets soon after the problem stops.
 */
export interface BurnRateWindow {
  /** Whether the alert pages someone or opens a ticket. */
  readonly severity: 'page' | 'ticket';
  /** Share of the whole SLO period's error budget (percent) spent within the long window. */
  readonly budgetConsumedPercent: number;
  /** The long window. */
  readonly longWindow: Duration;
  /** The short window that must burn at the same rate too. */
  readonly shortWindow: Duration;
}

/** The SLO period the workbook's numbers assume: 30 days. */
export const SLO_PERIOD = Duration.days(30);

/** The workbook's table: 2 % in 1 h (5 min), 5 % in 6 h (30 min), 10 % in 3 days (6 h). */
export const WORKBOOK_BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: 'page', budgetConsumedPercent: 2, longWindow: Duration.hours(1), shortWindow: Duration.minutes(5) },
  { severity: 'page', budgetConsumedPercent: 5, longWindow: Duration.hours(6), shortWindow: Duration.minutes(30) },
  { severity: 'ticket', budgetConsumedPercent: 10, longWindow: Duration.days(3), shortWindow: Duration.hours(6) },
];

/**
 * The burn rate at which `budgetConsumedPercent` of the period's error budget is spent in `window`:
 * burn rate = consumed share × SLO period / window (a burn rate of 1 spends exactly the whole budget
 * in the whole period).
 */
export function burnRate(budgetConsumedPercent: number, window: Duration, period: Duration = SLO_PERIOD): number {
  const rate = (budgetConsumedPercent / 100) * period.toSeconds() / window.toSeconds();
  // Round away floating point noise (0.02 * 720 = 14.399999...).
  return Math.round(rate * 1e6) / 1e6;
}

/**
 * The error ratio (a fraction of requests, 0–1) above which a window burns the budget of an SLO
 * (`objectivePercent`, for example 99.9) at `rate`: rate × (1 − objective).
 */
export function errorRatioThreshold(objectivePercent: number, rate: number): number {
  return Math.round(rate * (1 - objectivePercent / 100) * 1e9) / 1e9;
}
