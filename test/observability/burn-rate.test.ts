/**
 * The burn-rate math against the SRE workbook's table (chapter 5 "Alerting on SLOs", table 5-8:
 * 2 % of the budget in 1 h → 14.4, 5 % in 6 h → 6, 10 % in 3 days → 1, for a 30-day SLO).
 */
import { Duration } from 'aws-cdk-lib';
import { WORKBOOK_BURN_RATE_WINDOWS, burnRate, errorRatioThreshold } from '../../lib/observability/burn-rate';

test.each([
  [2, Duration.hours(1), 14.4],
  [5, Duration.hours(6), 6],
  [10, Duration.days(3), 1],
  [100, Duration.days(30), 1],
])('%d %% of the budget in %s is a burn rate of %d', (consumed, window, expected) => {
  expect(burnRate(consumed, window)).toBe(expected);
});

test('the table has the workbook\'s long and short windows (short = long / 12)', () => {
  expect(WORKBOOK_BURN_RATE_WINDOWS.map(w => [w.severity, w.budgetConsumedPercent, w.longWindow.toMinutes(), w.shortWindow.toMinutes(), burnRate(w.budgetConsumedPercent, w.longWindow)]))
    .toEqual([
      ['page', 2, 60, 5, 14.4],
      ['page', 5, 360, 30, 6],
      ['ticket', 10, 3 * 24 * 60, 6 * 60, 1],
    ]);
  for (const w of WORKBOOK_BURN_RATE_WINDOWS) expect(w.longWindow.toMinutes() / w.shortWindow.toMinutes()).toBe(12);
});

test('the error ratio threshold of a 99.9 % SLO is the burn rate times 0.1 %', () => {
  expect(errorRatioThreshold(99.9, 14.4)).toBe(0.0144);
  expect(errorRatioThreshold(99.9, 6)).toBe(0.006);
  expect(errorRatioThreshold(99.5, 1)).toBe(0.005);
});
