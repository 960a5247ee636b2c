import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../common/package-root';
import { BootPhase, BootStep } from './boot-step';

const PHASE_ORDER: BootPhase[] = [
  BootPhase.PREPARE, BootPhase.MOUNT, BootPhase.FETCH_SECRETS, BootPhase.FETCH_CODE,
  BootPhase.BUILD, BootPhase.START, BootPhase.SIGNAL,
];

/**
 * Reads a boot step body from `runtime/boot/<file>`: the bash lives in files so that shellcheck
 * and tests read the same text that instances run.
 * @internal
 */
export function bootFile(file: string): string {
  return fs.readFileSync(path.join(packageRoot(), 'runtime', 'boot', file), 'utf-8');
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
      throw new Error(`Boot step name ${JSON.stringify(step.name)} is invalid: use lower-case letters, digits and dashes (at most 63 characters).`);
    }
    if (this.steps.some(s => s.name === step.name)) {
      throw new Error(`Boot step ${JSON.stringify(step.name)} was added twice: each step name must be unique within a tier.`);
    }
    if (step.script.split('\n').some(line => line.trim() === HEREDOC_END)) {
      throw new Error(`Boot step ${JSON.stringify(step.name)} contains the reserved line ${HEREDOC_END}.`);
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
    lines.push(bootFile('prelude.sh').trimEnd());
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
