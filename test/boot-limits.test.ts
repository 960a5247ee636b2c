/**
 * Synth side of issue 20: boot step time limits (BootStep.timeLimit) and the environment secret's
 * required keys (requiredEnvironmentKeys, EnvironmentSecretOptions.requiredKeys). What the instance
 * does with them runs in test/boot-prelude.test.ts, test/app-env.test.ts and the instance lab.
 */
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BootScript } from '../lib/fleet/boot-script';
import { BootPhase, StatelessWebTier } from '../lib';
import { newStack, testCertificate, testSource, testVpc, userDataOf } from './helpers';

function web(props: Record<string, unknown> = {}) {
  const stack = newStack();
  const vpc = testVpc(stack);
  const env = secretsmanager.Secret.fromSecretNameV2(stack, 'Env', 'app/env');
  const tier = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack), environment: env, ...props });
  return { stack, tier, env };
}

describe('boot step time limits', () => {
  test('a step\'s timeLimit reaches the step as CWT_STEP_TIME_LIMIT (seconds); without one, the phase decides', () => {
    const script = new BootScript({});
    script.addStep({ name: 'slow', phase: BootPhase.BUILD, script: 'true', timeLimit: Duration.minutes(40) });
    script.addStep({ name: 'plain', phase: BootPhase.BUILD, script: 'true' });
    const rendered = script.render();
    expect(rendered).toContain("run_step slow build 'CWT_STEP_TIME_LIMIT=2400' <<'CDK_WEB_TIERS_STEP_END'");
    expect(rendered).toContain("run_step plain build <<'CDK_WEB_TIERS_STEP_END'");
  });

  test.each([Duration.seconds(0), Duration.hours(25), Duration.millis(1500)])('a time limit of %s is refused', (timeLimit) => {
    expect(() => new BootScript({}).addStep({ name: 'x', phase: BootPhase.START, script: 'true', timeLimit })).toThrow(/\[CWT157\] .*invalid addBootStep\(step\)\.timeLimit .*whole seconds from 1 second to 24 hours/);
  });

  test('addBootStep on a tier names the prop when the time limit is refused', () => {
    const { tier } = web();
    expect(() => tier.addBootStep({ name: 'x', phase: BootPhase.START, script: 'true', timeLimit: Duration.hours(30) })).toThrow(/addBootStep\(step\)/);
  });
});

describe('required environment keys', () => {
  test('requiredEnvironmentKeys reach the env step as REQUIRED_KEYS', () => {
    const { stack, tier } = web({ requiredEnvironmentKeys: ['APP_KEY', 'DATABASE_URL'] });
    expect(userDataOf(Template.fromStack(stack), tier)).toContain("'REQUIRED_KEYS=APP_KEY DATABASE_URL'");
  });

  test('without them, no REQUIRED_KEYS (an empty secret only warns)', () => {
    const { stack, tier } = web();
    expect(userDataOf(Template.fromStack(stack), tier)).not.toContain('REQUIRED_KEYS');
  });

  test('addEnvironmentFromSecret takes requiredKeys too, prefix included', () => {
    const { stack, tier } = web();
    tier.addEnvironmentFromSecret(secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'app/db'), { prefix: 'DB_', requiredKeys: ['DB_password'] });
    expect(userDataOf(Template.fromStack(stack), tier)).toContain("'REQUIRED_KEYS=DB_password'");
  });

  test('required keys without an environment, or with a name no variable can have, fail at synth', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    expect(() => new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack), requiredEnvironmentKeys: ['APP_KEY'] }))
      .toThrow(/requiredEnvironmentKeys .*set environment too/);
    expect(() => web({ requiredEnvironmentKeys: ['APP-KEY'] })).toThrow(/requiredKeys \("APP-KEY"\)/);
  });
});
