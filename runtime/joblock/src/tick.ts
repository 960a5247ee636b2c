/**
 * Schedule ticks: the scheduled slot a run belongs to, identical on every host for the same run.
 *
 * A tick is kept to whole seconds (sub-second digits are dropped) and written in one canonical
 * form, `YYYY-MM-DDTHH:MM:SSZ` in UTC, so `2026-11-22T09:00:00+01:00`, `2026-11-22T08:00:00.000Z`
 * and `1795334400` all name the same tick.
 */

export class TickError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TickError';
  }
}

export const TICK_HINT = 'use ISO-8601 with a time zone (e.g. 2026-11-22T08:00:00Z) or unix epoch seconds (e.g. 1795334400)';

const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;
const EPOCH_SECONDS = /^\d+$/;
/** Epoch seconds beyond this (year 5138) are almost certainly milliseconds. */
const MAX_EPOCH_SECONDS = 99_999_999_999;

/** Parses a --tick value to epoch milliseconds, floored to the second. Throws TickError. */
export function parseTick(text: string): number {
  const value = text.trim();
  if (EPOCH_SECONDS.test(value)) {
    const seconds = Number(value);
    if (seconds > MAX_EPOCH_SECONDS) {
      throw new TickError(`invalid tick "${text}": it looks like milliseconds; pass unix epoch seconds (e.g. ${Math.floor(seconds / 1000)})`);
    }
    return seconds * 1_000;
  }
  if (ISO_WITHOUT_ZONE.test(value)) {
    throw new TickError(`invalid tick "${text}": it has no time zone, so hosts in different zones would read different ticks; add "Z" for UTC (e.g. ${value.replace(' ', 'T')}Z) or an offset like +01:00`);
  }
  const m = ISO.exec(value);
  if (!m) {
    throw new TickError(`invalid tick "${text}": ${TICK_HINT}`);
  }
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59
    || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
  ) {
    throw new TickError(`invalid tick "${text}": not a real date and time; ${TICK_HINT}`);
  }
  let offsetMinutes = 0;
  if (m[7] === undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) {
      throw new TickError(`invalid tick "${text}": bad UTC offset ${m[8]}${m[9]}:${m[10]}; ${TICK_HINT}`);
    }
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return utc - offsetMinutes * 60_000;
}

/** The default tick: the given time floored to the minute. */
export function defaultTick(nowMs: number): number {
  return Math.floor(nowMs / 60_000) * 60_000;
}

/** Canonical form of a tick: `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds). */
export function formatTick(tickMs: number): string {
  return new Date(Math.floor(tickMs / 1_000) * 1_000).toISOString().replace('.000Z', 'Z');
}
