import { SpikeInputError } from './model';

/** Options of {@link SpikeProfile.step}. */
export interface StepProfileOptions {
  /** Demand during the spike, as a multiple of the baseline (above 1). */
  readonly factor: number;
  /**
   * Minutes the demand stays at its peak.
   *
   * @default 60
   */
  readonly holdMinutes?: number;
  /**
   * Minutes of baseline before the spike, so that the group starts in its steady state.
   *
   * @default 5
   */
  readonly leadMinutes?: number;
}

/** Options of {@link SpikeProfile.ramp}. */
export interface RampProfileOptions {
  /** Demand at the top of the ramp, as a multiple of the baseline (above 1). */
  readonly factor: number;
  /**
   * Seconds from the baseline to the peak.
   *
   * @default 600
   */
  readonly rampSeconds?: number;
  /**
   * Minutes the demand stays at its peak.
   *
   * @default 30
   */
  readonly holdMinutes?: number;
  /**
   * Minutes of baseline before the ramp.
   *
   * @default 5
   */
  readonly leadMinutes?: number;
}

/** Options of {@link SpikeProfile.tvAd}. */
export interface TvAdProfileOptions {
  /** Peak demand as a multiple of the baseline (above 1). Buycycle saw 15. */
  readonly factor: number;
  /**
   * Seconds from the ad's first second to the peak (viewers reach for their phones).
   *
   * @default 60
   */
  readonly rampSeconds?: number;
  /**
   * Minutes at the peak.
   *
   * @default 20
   */
  readonly holdMinutes?: number;
  /**
   * Minutes from the peak back to the baseline.
   *
   * @default 20
   */
  readonly decayMinutes?: number;
  /**
   * Minutes of baseline before the ad.
   *
   * @default 5
   */
  readonly leadMinutes?: number;
}

/** Options of {@link SpikeProfile.fromCsv}. */
export interface CsvProfileOptions {
  /**
   * Minute of the file (0 = first row) at which the spike starts; absorption is measured from here.
   *
   * @default - the first minute whose demand is at least twice the first row's
   */
  readonly spikeStartMinute?: number;
}

/** One linear piece of a profile: what a load generator (k6 `ramping-arrival-rate`) replays. */
export interface SpikeProfileStage {
  /** Seconds this stage lasts. */
  readonly durationSeconds: number;
  /** Requests per second at the start of the stage. */
  readonly startRequestsPerSecond: number;
  /** Requests per second at the end of the stage (linear in between). */
  readonly endRequestsPerSecond: number;
}

interface Point { readonly t: number; readonly m: number }

/**
 * Demand over time. Shapes (step, ramp, TV ad) are multiples of a baseline; a CSV profile holds
 * absolute requests per minute. Defined once here: the simulator and the load-test generator
 * both replay it.
 */
export class SpikeProfile {
  /** Demand jumps from the baseline to `factor` × baseline at once. */
  public static step(options: StepProfileOptions): SpikeProfile {
    const factor = checkFactor(options.factor);
    const lead = minutes('leadMinutes', options.leadMinutes ?? 5, 0) * 60;
    const hold = minutes('holdMinutes', options.holdMinutes ?? 60, 1) * 60;
    return new SpikeProfile(`step ${factor}x`, factor, false, lead, lead + hold,
      [{ t: 0, m: 1 }, { t: lead, m: 1 }, { t: lead, m: factor }, { t: lead + hold, m: factor }]);
  }

  /** Demand rises linearly to `factor` × baseline, then holds. */
  public static ramp(options: RampProfileOptions): SpikeProfile {
    const factor = checkFactor(options.factor);
    const lead = minutes('leadMinutes', options.leadMinutes ?? 5, 0) * 60;
    const ramp = seconds('rampSeconds', options.rampSeconds ?? 600);
    const hold = minutes('holdMinutes', options.holdMinutes ?? 30, 1) * 60;
    return new SpikeProfile(`ramp ${factor}x over ${ramp}s`, factor, false, lead, lead + ramp + hold,
      [{ t: 0, m: 1 }, { t: lead, m: 1 }, { t: lead + ramp, m: factor }, { t: lead + ramp + hold, m: factor }]);
  }

  /**
   * A television advertisement: baseline, a rise to `factor` × baseline within `rampSeconds`,
   * a plateau while the ad's audience arrives, then a decay back to the baseline.
   */
  public static tvAd(options: TvAdProfileOptions): SpikeProfile {
    const factor = checkFactor(options.factor);
    const lead = minutes('leadMinutes', options.leadMinutes ?? 5, 0) * 60;
    const ramp = seconds('rampSeconds', options.rampSeconds ?? 60);
    const hold = minutes('holdMinutes', options.holdMinutes ?? 20, 1) * 60;
    const decay = minutes('decayMinutes', options.decayMinutes ?? 20, 0) * 60;
    const peakEnd = lead + ramp + hold;
    return new SpikeProfile(`TV ad ${factor}x`, factor, false, lead, peakEnd, [
      { t: 0, m: 1 }, { t: lead, m: 1 }, { t: lead + ramp, m: factor }, { t: peakEnd, m: factor },
      { t: peakEnd + decay, m: 1 }, { t: peakEnd + decay + 600, m: 1 },
    ]);
  }

  /**
   * Requests per minute, one row per minute, as exported from the load balancer's RequestCount
   * metric (Sum, period 1 minute): `timestamp,requests` where the timestamp is ISO 8601 or a
   * minute number. A header row is allowed. Missing minutes are an error, not a zero.
   */
  public static fromCsv(text: string, options: CsvProfileOptions = {}): SpikeProfile {
    const rows = parseCsv(text);
    const first = rows[0];
    const start = options.spikeStartMinute ?? Math.max(0, rows.findIndex(r => r >= 2 * Math.max(first, 1)));
    if (!Number.isInteger(start) || start < 0 || start >= rows.length) {
      throw new SpikeInputError(`invalid spikeStartMinute (${options.spikeStartMinute}). Use a minute of the file, 0 to ${rows.length - 1}.`);
    }
    // Each minute's requests spread evenly over that minute: a step function, drawn with two points per minute.
    const points: Point[] = [];
    rows.forEach((rpm, i) => {
      points.push({ t: i * 60, m: rpm / 60 }, { t: (i + 1) * 60, m: rpm / 60 });
    });
    const peak = Math.max(...rows);
    let peakEnd = rows.length * 60;
    for (let i = rows.length - 1; i >= start; i--) {
      if (rows[i] >= 0.9 * peak) { peakEnd = (i + 1) * 60; break; }
    }
    return new SpikeProfile(`CSV (${rows.length} minutes)`, peak / Math.max(first, 1), true, start * 60, peakEnd, points);
  }

  /** A short description, for tables and charts. */
  public readonly name: string;
  /** Peak demand divided by the demand before the spike. */
  public readonly factor: number;
  /** Whether demand is absolute (CSV) rather than a multiple of the baseline. */
  public readonly absolute: boolean;
  /** Second at which the spike starts. */
  public readonly spikeStartSeconds: number;
  /** Second at which the peak ends; capacity must cover demand up to here. */
  public readonly peakEndSeconds: number;
  /** Length of the profile in seconds. */
  public readonly durationSeconds: number;
  private readonly points: Point[];

  private constructor(name: string, factor: number, absolute: boolean, spikeStart: number, peakEnd: number, points: Point[]) {
    this.name = name;
    this.factor = factor;
    this.absolute = absolute;
    this.spikeStartSeconds = spikeStart;
    this.peakEndSeconds = peakEnd;
    this.points = points;
    this.durationSeconds = points[points.length - 1].t;
  }

  /**
   * Requests per second at a second of the profile.
   *
   * @param second seconds since the profile's start
   * @param baselineRequestsPerSecond demand before the spike (ignored by CSV profiles, which are absolute)
   */
  public requestsPerSecondAt(second: number, baselineRequestsPerSecond: number): number {
    const scale = this.absolute ? 1 : baselineRequestsPerSecond;
    const pts = this.points;
    if (second <= pts[0].t) return pts[0].m * scale;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1];
      const b = pts[i];
      if (second < b.t) {
        return (b.t === a.t ? b.m : a.m + (b.m - a.m) * (second - a.t) / (b.t - a.t)) * scale;
      }
    }
    return pts[pts.length - 1].m * scale;
  }

  /** The profile as linear stages, for a load generator that replays it. */
  public toStages(baselineRequestsPerSecond: number): SpikeProfileStage[] {
    const scale = this.absolute ? 1 : baselineRequestsPerSecond;
    const stages: SpikeProfileStage[] = [];
    for (let i = 1; i < this.points.length; i++) {
      const a = this.points[i - 1];
      const b = this.points[i];
      const durationSeconds = b.t - a.t;
      // A jump (two points at one second) becomes a 1-second stage: generators cannot jump.
      stages.push({ durationSeconds: Math.max(1, durationSeconds), startRequestsPerSecond: a.m * scale, endRequestsPerSecond: b.m * scale });
    }
    return stages;
  }
}

/** The largest factor a profile accepts: beyond it demand (and the instances it needs) stops being a number a group can have. */
export const MAX_SPIKE_FACTOR = 10_000;

function checkFactor(factor: number): number {
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 1 || factor > MAX_SPIKE_FACTOR) {
    throw new SpikeInputError(`invalid factor (${factor}). A spike multiplies the baseline demand: use a number above 1 and at most ${MAX_SPIKE_FACTOR}, for example 15.`);
  }
  return factor;
}

/** A CSV cell that is a plain non-negative number (`1200`, `1e3`, `12.5`), as JavaScript reads numbers. */
function isNumberCell(cell: string | undefined): boolean {
  return cell !== undefined && cell !== '' && /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) && Number.isFinite(Number(cell));
}

function minutes(field: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new SpikeInputError(`invalid ${field} (${value}). Use a number of minutes of at least ${min}.`);
  }
  return value;
}

function seconds(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new SpikeInputError(`invalid ${field} (${value}). Use a number of seconds of at least 0.`);
  }
  return value;
}

/** Parses `timestamp,requests` rows into requests per minute, refusing gaps. */
function parseCsv(text: string): number[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ line: i + 1, cells: l.split(',').map(c => c.trim()) })).filter(l => l.cells.join('') !== '');
  // A header is a first row whose second cell is not a number (`timestamp,requests`); `0,1e3` is data.
  if (lines.length > 0 && !isNumberCell(lines[0].cells[1]) && !/^-/.test(lines[0].cells[1] ?? '')) lines.shift();
  if (lines.length < 2) {
    throw new SpikeInputError('invalid CSV: it needs at least two rows of `timestamp,requests per minute` (for example `2026-03-01T20:00:00Z,1200`).');
  }
  const values: number[] = [];
  let previous: number | undefined;
  for (const { line, cells } of lines) {
    const [stamp, value] = cells;
    if (!isNumberCell(value)) {
      throw new SpikeInputError(`invalid CSV line ${line} (${JSON.stringify(cells.join(','))}): the second column must be the requests of that minute, a number of at least 0. Fill the minute in (0 if there was no traffic) rather than leaving it empty.`);
    }
    const minute = /^\d+$/.test(stamp) ? Number(stamp) : Date.parse(stamp) / 60_000;
    if (!Number.isFinite(minute)) {
      throw new SpikeInputError(`invalid CSV line ${line}: ${JSON.stringify(stamp)} is neither an ISO 8601 timestamp nor a minute number.`);
    }
    if (previous !== undefined && Math.abs(minute - previous - 1) > 1e-9) {
      throw new SpikeInputError(`invalid CSV line ${line}: a gap of ${Math.round((minute - previous) * 60)} seconds after the previous row. ` +
        'Rows must be one minute apart with none missing: export the RequestCount metric with period 60 and statistic Sum, and fill empty minutes with 0.');
    }
    previous = minute;
    values.push(Number(value));
  }
  return values;
}

/** The shape names that the CLI (`--profile`) and the delivery pipeline accept. @internal */
export const SPIKE_PROFILE_NAMES: readonly string[] = ['tv-ad', 'step', 'ramp'];

/**
 * A shape by its name, or undefined for a name that is not one of {@link SPIKE_PROFILE_NAMES}
 * (each caller says so in its own way: a usage error, a synth error).
 * @internal
 */
export function spikeProfileNamed(name: string, options: { factor: number; rampSeconds?: number; holdMinutes?: number }): SpikeProfile | undefined {
  switch (name) {
    case 'tv-ad': return SpikeProfile.tvAd(options);
    case 'step': return SpikeProfile.step({ factor: options.factor, holdMinutes: options.holdMinutes });
    case 'ramp': return SpikeProfile.ramp(options);
    default: return undefined;
  }
}
