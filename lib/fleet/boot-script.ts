import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../common/package-root';
import { BootPhase, BootStep } from './boot-step';
import { invalidInput } from '../common/errors';

const PHASE_ORDER: BootPhase[] = [
  BootPhase.PREPARE, BootPhase.MOUNT, BootPhase.FETCH_SECRETS, BootPhase.FETCH_CODE,
  BootPhase.BUILD, BootPhase.START, BootPhase.SIGNAL,
];

/** The folder of the library's boot step files; the fleet ships it as an asset. @internal */
export function bootFilesDir(): string {
  return path.join(packageRoot(), 'runtime', 'boot');
}

/** The most user data EC2 accepts: 16 KB before base64. */
export const MAX_USER_DATA_BYTES = 16 * 1024;

/**
 * The body of a boot step whose bash lives in `runtime/boot/<file>`, so that shellcheck and tests
 * read the same text that instances run. The files travel to the instances in the fleet's boot
 * files asset, which the prelude downloads; the step only sources its file.
 * @internal
 */
export function bootFile(file: string): string {
  if (!fs.existsSync(path.join(bootFilesDir(), file))) {
    throw new Error(`cdk-web-tiers: runtime/boot/${file} does not exist`);
  }
  // The bodies travel in the boot files asset, not in the user data (EC2 allows 16 KB of it).
  return `source "$CWT_BOOT_DIR/${file}"`;
}


/**
 * Single-quotes a value for bash. Tokens render to ARNs and ids, which never contain quotes.
 * @internal
 */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const STEP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HEREDOC_END = 'CDK_WEB_TIERS_STEP_END';

/**
 * An ordered list of named boot steps, rendered once into user data.
 *
 * The fleet owns one; features add steps to it. The rendered script is the prelude
 * (`runtime/boot/prelude.sh`: logging, the step runner, the failure signal) followed by every
 * step in phase order and a final success signal.
 */
export class BootScript {
  private readonly steps: BootStep[] = [];

  constructor(private readonly globals: Record<string, string>) {}

  /** Adds a step; throws if the name is malformed or already used. */
  public addStep(step: BootStep): void {
    if (!STEP_NAME.test(step.name)) {
      invalidInput('CWT147', 'addBootStep(step).name', step.name, `Boot step name ${JSON.stringify(step.name)} is invalid: use lower-case letters, digits and dashes (at most 63 characters).`);
    }
    if (this.steps.some(s => s.name === step.name)) {
      invalidInput('CWT148', 'addBootStep(step).name', step.name, `Boot step ${JSON.stringify(step.name)} was added twice: each step name must be unique within a tier.`);
    }
    for (const key of Object.keys(step.environment ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        invalidInput('CWT149', 'addBootStep(step).environment', key, `Boot step ${JSON.stringify(step.name)} has the environment variable name ${JSON.stringify(key)}: use letters, digits and underscores, not starting with a digit.`);
      }
    }
    if (step.script.split('\n').some(line => line.trim() === HEREDOC_END)) {
      invalidInput('CWT150', 'addBootStep(step).script', step.name, `Boot step ${JSON.stringify(step.name)} contains the reserved line ${HEREDOC_END}.`);
    }
    this.steps.push(step);
  }

  /** Names of the steps in the order they will run. */
  public get stepNames(): string[] {
    return this.ordered().map(s => s.name);
  }

  /** True when a step with this name was added. */
  public hasStep(name: string): boolean {
    return this.steps.some(s => s.name === name);
  }

  /** Renders the whole user data script. */
  public render(): string {
    const lines: string[] = ['#!/bin/bash', '# Rendered by cdk-web-tiers: prelude, then one block per boot step in phase order.'];
    for (const [key, value] of Object.entries(this.globals)) {
      lines.push(`export ${key}=${shellQuote(value)}`);
    }
    // Comment lines stay in runtime/boot/prelude.sh for readers: user data holds 16 KB at most.
    const prelude = fs.readFileSync(path.join(bootFilesDir(), 'prelude.sh'), 'utf-8').trimEnd().split('\n');
    lines.push(...prelude.filter(line => !/^\s*#(?! ---)/.test(line)));
    for (const step of this.ordered()) {
      const env = Object.entries(step.environment ?? {}).map(([k, v]) => shellQuote(`${k}=${v}`));
      lines.push('', `run_step ${step.name} ${step.phase}${env.length ? ' ' + env.join(' ') : ''} <<'${HEREDOC_END}'`);
      lines.push(step.script.trimEnd());
      lines.push(HEREDOC_END);
    }
    lines.push('', 'boot_succeeded', '');
    return lines.join('\n');
  }

  private ordered(): BootStep[] {
    return PHASE_ORDER.flatMap(phase => this.steps.filter(s => s.phase === phase));
  }
}
