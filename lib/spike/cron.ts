/**
 * The five-field cron expressions of scheduled actions (minute hour day-of-month month
 * day-of-week, in UTC or a time zone), enough to know when an action fires during a simulation.
 */
import { spikeInputError } from './model';

const RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** Whether a cron expression fires at a given minute (the date's seconds are ignored). */
export function cronMatches(expression: string, date: Date, timeZone?: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw spikeInputError('CWT702', `invalid recurrence (${JSON.stringify(expression)}). Use five cron fields: minute hour day-of-month month day-of-week.`);
  }
  const parts = localParts(date, timeZone);
  const values = [parts.minute, parts.hour, parts.day, parts.month, parts.weekday];
  const matches = fields.map((f, i) => fieldMatches(f, values[i], RANGES[i], i === 4));
  const [minute, hour, dom, month, dow] = matches;
  // As in cron: when both day fields are restricted, either may match.
  const dayMatches = fields[2] !== '*' && fields[4] !== '*' ? dom || dow : dom && dow;
  return minute && hour && month && dayMatches;
}

function fieldMatches(field: string, value: number, [lo, hi]: [number, number], weekday: boolean): boolean {
  return field.split(',').some(part => {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = lo;
    let to = hi;
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = Number(a);
      to = b === undefined ? (stepText === undefined ? from : hi) : Number(b);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1) {
      throw spikeInputError('CWT703', `invalid cron field (${JSON.stringify(field)}). Use numbers, ranges (a-b), lists (a,b) and steps (*/n).`);
    }
    for (let v = from; v <= to; v += step) {
      if (v === value || (weekday && v === 7 && value === 0)) return true;
    }
    return false;
  });
}

function localParts(date: Date, timeZone?: string): { minute: number; hour: number; day: number; month: number; weekday: number } {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    return { minute: date.getUTCMinutes(), hour: date.getUTCHours(), day: date.getUTCDate(), month: date.getUTCMonth() + 1, weekday: date.getUTCDay() };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short',
  }).formatToParts(date);
  const get = (type: string) => parts.find(p => p.type === type)!.value;
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return { minute: Number(get('minute')), hour: Number(get('hour')), day: Number(get('day')), month: Number(get('month')), weekday: weekdays.indexOf(get('weekday')) };
}
