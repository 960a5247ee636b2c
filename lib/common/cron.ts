import { ErrorCode } from './error-codes';
import { invalidInput } from './errors';
import { neverFires } from './input-checks';

/**
 * Converts a 5-field cron expression (minute hour day-of-month month day-of-week) into a systemd
 * `OnCalendar=` expression. Each field becomes an explicit list, so steps and ranges behave exactly
 * as in cron. Throws a TierValidationError (no construct, prop `schedule`) whose fix says what is wrong;
 * callers rethrow it with their construct and prop name, keeping the code.
 */
export function cronToOnCalendar(expression: string, timeZone?: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    cronError('CWT520', expression, `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields.length}`);
  }
  const [minute, hour, dom, month, dow] = fields;
  const minutes = parseField(minute, 'minute', 0, 59);
  const hours = parseField(hour, 'hour', 0, 23);
  const days = parseField(dom, 'day-of-month', 1, 31);
  const months = parseField(month, 'month', 1, 12, MONTH_NAMES);
  const weekdays = parseField(dow.replace(/\b7\b/g, '0'), 'day-of-week', 0, 6, DAY_NAMES);
  if (days !== undefined && weekdays !== undefined) {
    // cron runs when EITHER matches; systemd requires BOTH. Refuse rather than change the meaning.
    cronError('CWT521', expression, 'restrict day-of-month or day-of-week, not both (cron ORs them, systemd would AND them)');
  }
  if (neverFires(days, months)) {
    cronError('CWT522', expression, `the schedule never fires: day ${dom} does not exist in month ${month}`);
  }
  const list = (values: number[] | undefined, pad: number) => values === undefined ? '*' : values.map(v => String(v).padStart(pad, '0')).join(',');
  const weekdayPart = weekdays === undefined ? '' : weekdays.map(d => SYSTEMD_DAYS[d]).join(',') + ' ';
  const calendar = `${weekdayPart}*-${list(months, 2)}-${list(days, 2)} ${list(hours, 2)}:${list(minutes, 2)}:00`;
  return timeZone ? `${calendar} ${timeZone}` : `${calendar} UTC`;
}

/**
 * The reason a 5-field cron expression never fires (a day-of-month that its months do not have),
 * or undefined when it fires or cannot be parsed (its own validation reports that).
 */
export function cronNeverFiresReason(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  try {
    const days = parseField(fields[2], 'day-of-month', 1, 31);
    const months = parseField(fields[3], 'month', 1, 12, MONTH_NAMES);
    const weekdays = parseField(fields[4].replace(/\b7\b/g, '0'), 'day-of-week', 0, 6, DAY_NAMES);
    // With a day-of-week too, cron fires on those weekdays whatever the day of month.
    if (weekdays === undefined && neverFires(days, months)) return `day ${fields[2]} does not exist in month ${fields[3]}`;
  } catch {
    return undefined;
  }
  return undefined;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const SYSTEMD_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Returns the sorted values a field allows, or undefined for "every value". */
function parseField(field: string, name: string, min: number, max: number, names?: string[]): number[] | undefined {
  if (field === '*' || field === '?') return undefined;
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|[\w]+(?:-[\w]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) cronError('CWT523', field, `the ${name} field "${field}" is not valid cron syntax`);
    const [, range, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) cronError('CWT524', field, `the ${name} field "${field}" has a step of 0`);
    let from = min;
    let to = max;
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = parseValue(a, name, min, max, names);
      to = b === undefined ? (stepText === undefined ? from : max) : parseValue(b, name, min, max, names);
      if (to < from) cronError('CWT525', range, `the ${name} range "${range}" runs backwards`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === max - min + 1 ? undefined : sorted;
}

function parseValue(text: string, name: string, min: number, max: number, names?: string[]): number {
  const byName = names?.indexOf(text.toLowerCase()) ?? -1;
  const value = byName >= 0 ? byName + (name === 'month' ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    cronError('CWT526', text, `the ${name} value "${text}" is outside ${min}-${max}`);
  }
  return value;
}

/** Throws the cron error: the fix is the reason, lower-case, so that callers can build their own sentence. */
function cronError(code: ErrorCode, value: string, reason: string): never {
  return invalidInput(code, 'schedule', value, reason);
}
