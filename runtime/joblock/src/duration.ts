/**
 * Duration parsing for joblock flags.
 *
 * Accepted forms: a plain number of seconds (`90`, `1.5`), or one or more number+unit parts with
 * the units `ms`, `s`, `m`, `h`, `d` (`500ms`, `30s`, `5m`, `2h`, `1d`, `1h30m`).
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Longest duration accepted (366 days): keeps values far from overflow in Redis and timers. */
export const MAX_DURATION_MS = 366 * 86_400_000;

const PLAIN_SECONDS = /^\d+(?:\.\d+)?$/;
const WITH_UNITS = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export const DURATION_HINT = 'use a number of seconds or a number with a unit ms, s, m, h or d (e.g. 30s, 5m, 2h, 1d, 1h30m)';

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

/** Parses a duration to whole milliseconds (rounded). Throws DurationError on bad input. */
export function parseDuration(text: string): number {
  const value = text.trim().toLowerCase();
  let ms: number;
  if (PLAIN_SECONDS.test(value)) {
    ms = Number(value) * 1_000;
  } else if (WITH_UNITS.test(value)) {
    ms = 0;
    for (const match of value.matchAll(PART)) {
      ms += Number(match[1]) * UNIT_MS[match[2]];
    }
  } else {
    throw new DurationError(`invalid duration "${text}": ${DURATION_HINT}`);
  }
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) {
    throw new DurationError(`duration "${text}" is too long: the maximum is 366d`);
  }
  return ms;
}

/** Formats milliseconds compactly for messages: 1500 -> "1.5s", 90000 -> "1m30s", 86400000 -> "1d". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) {
    return `${ms}ms`;
  }
  if (ms < 60_000) {
    return `${Number((ms / 1_000).toFixed(3))}s`;
  }
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      rest -= n * seconds;
    }
  }
  return parts.join('');
}
