/**
 * The benchmark's plain aws-cdk-lib web tier (bench/plain-spike), read from its template like any
 * user's stack: the 15x TV ad sends it into the death spiral, which the library's defaults avoid.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PlainWebStack } from '../../bench/plain-spike/plain-web-stack';
import { SpikeHealthCheckType, SpikeProfile, SpikeSimulation, StatelessWebTier } from '../../lib';
import { newStack, testCertificate, testSource, testVpc } from '../helpers';

test('plain aws-cdk-lib (CPU tracking, ELB health) enters the death spiral on a 15x TV ad; the library defaults do not', () => {
  const app = new App({ context: { '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': true } });
  const plain = new PlainWebStack(app, 'PlainWeb', { env: { region: 'us-east-1' } });
  const simulation = SpikeSimulation.fromTemplate(Template.fromStack(plain).toJSON(), 'WebAsg');
  expect(simulation.model).toMatchObject({ healthCheckType: SpikeHealthCheckType.ELB, detailedMonitoring: false });
  const tvAd = SpikeProfile.tvAd({ factor: 15 });
  const plainResult = simulation.run(tvAd);
  expect(plainResult.summary.deathSpiral).toBe(true);
  expect(plainResult.summary.minutesToAbsorb).toBeUndefined();

  const stack = newStack();
  const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack) });
  const ours = SpikeSimulation.of(web).run(tvAd);
  expect(ours.summary.deathSpiral).toBe(false);
  expect(ours.summary.minutesToAbsorb).toBeLessThan(10);
  expect(ours.summary.shareOfRequestsOverCapacity).toBeLessThan(plainResult.summary.shareOfRequestsOverCapacity / 5);
});
