import * as fs from 'fs';
import { UsageError } from './command';
import { SpikeProfile, spikeProfileNamed } from '../lib/spike/profile';

/** Parsed command-line flags: `--name value`, `--name=value`, boolean `--name`, and positional arguments. */
export interface ParsedFlags {
  readonly flags: Map<string, string>;
  readonly positional: string[];
}

/** Splits arguments into known flags and positional arguments; an unknown flag is a usage error. */
export function parseFlags(args: string[], valueFlags: ReadonlySet<string>, booleanFlags: ReadonlySet<string> = new Set()): ParsedFlags {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s, 2);
    if (valueFlags.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else if (booleanFlags.has(name)) {
      flags.set(name, 'true');
    } else if (name.startsWith('-')) {
      throw new UsageError(`unknown option ${name}`);
    } else {
      positional.push(args[i]);
    }
  }
  return { flags, positional };
}

/** A numeric flag, or undefined when absent; a non-number is a usage error. */
export function numberFlag(flags: Map<string, string>, name: string): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, not ${JSON.stringify(raw)}`);
  return n;
}

/** The flags that choose a spike profile, shared by `spike` and `loadtest`. */
export const PROFILE_FLAGS = ['--profile', '--factor', '--ramp-seconds', '--hold-minutes', '--csv'];

/** The help lines of {@link PROFILE_FLAGS}. */
export const PROFILE_FLAGS_USAGE = [
  '  --profile P             step | ramp | tv-ad (default tv-ad); --csv replaces it',
  '  --factor N              peak demand / baseline demand (default 15)',
  '  --ramp-seconds N        seconds to the peak (default: 60 for tv-ad, 600 for ramp)',
  '  --hold-minutes N        minutes at the peak (default: 20 for tv-ad, 30 for ramp, 60 for step)',
  '  --csv FILE              demand from a CSV of `timestamp,requests` per minute (ALB RequestCount, Sum, 1 min)',
];

/** The spike profile the flags describe (the same profiles for the simulator and the load test). */
export function profileFromFlags(flags: Map<string, string>): SpikeProfile {
  const csv = flags.get('--csv');
  if (csv !== undefined) return SpikeProfile.fromCsv(fs.readFileSync(csv, 'utf-8'));
  const factor = numberFlag(flags, '--factor') ?? 15;
  const rampSeconds = numberFlag(flags, '--ramp-seconds');
  const holdMinutes = numberFlag(flags, '--hold-minutes');
  const profile = spikeProfileNamed(flags.get('--profile') ?? 'tv-ad', { factor, rampSeconds, holdMinutes });
  if (!profile) throw new UsageError(`--profile must be step, ramp or tv-ad, not ${JSON.stringify(flags.get('--profile'))}`);
  return profile;
}
