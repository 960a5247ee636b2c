/** Scheduled actions placed on a run's clock, each fired two minutes late (SCHEDULED_ACTION_DELAY_SECONDS). */
import { SCHEDULED_ACTION_DELAY_SECONDS } from './constants';
import { cronMatches } from './cron';
import { SpikeInputError, SpikeScheduledActionModel } from './model';
import { SpikeProfile } from './profile';

/** The actions that took effect before the run, and those that fire during it (seconds since the profile's start). */
export interface ScheduleTimeline {
  readonly before: SpikeScheduledActionModel[];
  readonly during: Array<{ second: number; action: SpikeScheduledActionModel }>;
}

/** Places scheduled actions on the run's clock (none without a date for the spike, and the notes say so). */
export function scheduleTimeline(actions: SpikeScheduledActionModel[], profile: SpikeProfile, spikeStartsAt: string | undefined, notes: string[]): ScheduleTimeline {
  if (spikeStartsAt !== undefined && !Number.isFinite(Date.parse(spikeStartsAt))) {
    throw new SpikeInputError(`invalid spikeStartsAt (${JSON.stringify(spikeStartsAt)}). Use an ISO 8601 date and time, for example 2026-03-01T20:00:00Z.`);
  }
  if (actions.length === 0) {
    if (spikeStartsAt !== undefined) notes.push(`The spike's date (${spikeStartsAt}) changes nothing: the group has no scheduled actions.`);
    return { before: [], during: [] };
  }
  if (spikeStartsAt === undefined) {
    notes.push(`${actions.length} scheduled action(s) left out: give the spike's date and time (spikeStartsAt, --at) to simulate them.`);
    return { before: [], during: [] };
  }
  const late = SCHEDULED_ACTION_DELAY_SECONDS * 1000;
  const startMs = Date.parse(spikeStartsAt) - profile.spikeStartSeconds * 1000;
  const endMs = startMs + profile.durationSeconds * 1000;
  const before: Array<{ ms: number; action: SpikeScheduledActionModel }> = [];
  const during: Array<{ second: number; action: SpikeScheduledActionModel }> = [];
  const place = (scheduledMs: number, action: SpikeScheduledActionModel) => {
    const firesMs = scheduledMs + late;
    if (firesMs < startMs) before.push({ ms: firesMs, action });
    else if (firesMs < endMs) during.push({ second: (firesMs - startMs) / 1000, action });
  };
  for (const action of actions) {
    if (action.recurrence) {
      // The most recent firing in the week before the run set the group's state; later ones fire during it.
      const from = Math.floor((startMs - late - 7 * 24 * 3600_000) / 60_000) * 60_000;
      let latestBefore: number | undefined;
      for (let ms = from; ms < endMs; ms += 60_000) {
        if (action.startTime && ms < Date.parse(action.startTime)) continue;
        if (!cronMatches(action.recurrence, new Date(ms), action.timeZone)) continue;
        if (ms + late < startMs) latestBefore = ms;
        else place(ms, action);
      }
      if (latestBefore !== undefined) place(latestBefore, action);
    } else if (action.startTime) {
      const ms = Date.parse(action.startTime);
      if (!Number.isFinite(ms)) throw new SpikeInputError(`invalid startTime (${JSON.stringify(action.startTime)}) of scheduled action ${action.name}. Use ISO 8601.`);
      place(ms, action);
    }
  }
  return { before: before.sort((a, b) => a.ms - b.ms).map(b => b.action), during: during.sort((a, b) => a.second - b.second) };
}
