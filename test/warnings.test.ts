/**
 * Risky but legal choices: each gives a warning with an id that users can acknowledge, and the
 * acknowledgement silences exactly that warning.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Annotations as CoreAnnotations, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { AppSource, JobLock, SharedUploads, SingletonWorker, StatelessWebTier, TierLoadBalancer, TierNetwork } from '../lib';
import { newStack, testCertificate, testSource } from './helpers';

interface RiskyChoice {
  readonly id: string;
  /** Builds the risky choice in the stack; returns the construct that carries the warning. */
  readonly build: (stack: Stack) => IConstruct;
}

const choices: RiskyChoice[] = [
  { id: 'plainHttp', build: s => new TierLoadBalancer(s, 'Lb', { vpc: new ec2.Vpc(s, 'V', { maxAzs: 2 }), protocol: elbv2.ApplicationProtocol.HTTP }) },
  { id: 'noDeletionProtection', build: s => new TierLoadBalancer(s, 'Lb', { vpc: new ec2.Vpc(s, 'V', { maxAzs: 2 }), certificate: testCertificate(s), deletionProtection: false }) },
  { id: 'noWebApplicationFirewall', build: s => new TierLoadBalancer(s, 'Lb', { vpc: new ec2.Vpc(s, 'V', { maxAzs: 2 }), certificate: testCertificate(s), webApplicationFirewall: false }) },
  { id: 'sharedNatGateway', build: s => new TierNetwork(s, 'Net', { natGateways: 1 }) },
  { id: 'lockWithoutFailover', build: s => new JobLock(s, 'Lock', { vpc: new TierNetwork(s, 'Net').vpc, multiAz: false }) },
  { id: 'noUploadBackups', build: s => new SharedUploads(s, 'Uploads', { vpc: new TierNetwork(s, 'Net').vpc, automaticBackups: false }) },
  {
    id: 'publicSubnets',
    build: s => new StatelessWebTier(s, 'Web', {
      vpc: new TierNetwork(s, 'Net').vpc, source: testSource(), certificate: testCertificate(s), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    }),
  },
  {
    id: 'unpinnedImage',
    build: s => new SingletonWorker(s, 'Worker', {
      vpc: new TierNetwork(s, 'Net').vpc, healthCommand: 'true',
      source: AppSource.fromGitRepository({ repository: 'https://github.com/acme/worker.git', startCommand: 'npm start' }),
    }),
  },
  {
    id: 'monitoringOff',
    build: s => new StatelessWebTier(s, 'Web', { vpc: new TierNetwork(s, 'Net').vpc, source: testSource(), certificate: testCertificate(s), alarms: { enabled: false } }),
  },
  {
    id: 'rollingDeployBelowMin',
    build: s => new StatelessWebTier(s, 'Web', { vpc: new TierNetwork(s, 'Net').vpc, source: testSource(), certificate: testCertificate(s), capacity: { min: 2, max: 2 } }),
  },
];

describe.each(choices.map(c => [c.id, c] as const))('warning cdk-web-tiers:%s', (id, choice) => {
  test('is raised with its id', () => {
    const stack = newStack();
    choice.build(stack);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(`\\[ack: cdk-web-tiers:${id}\\]`));
  });

  test('is silenced by acknowledging its id, and only that one', () => {
    const stack = newStack();
    const construct = choice.build(stack);
    CoreAnnotations.of(construct).acknowledgeWarning(`cdk-web-tiers:${id}`, 'accepted for this test stack');
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(`cdk-web-tiers:${id}\\]`));
  });
});

test('the secure defaults raise no cdk-web-tiers warning', () => {
  const stack = newStack();
  const network = new TierNetwork(stack, 'Net');
  new StatelessWebTier(stack, 'Web', { vpc: network.vpc, source: testSource(), certificate: testCertificate(stack) });
  new JobLock(stack, 'Lock', { vpc: network.vpc });
  new SharedUploads(stack, 'Uploads', { vpc: network.vpc });
  // A worker built from git on a pinned image.
  new SingletonWorker(stack, 'Worker', {
    vpc: network.vpc, healthCommand: 'true',
    source: AppSource.fromGitRepository({ repository: 'https://github.com/acme/worker.git', startCommand: 'npm start', machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-12345678' }) }),
  });
  Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('cdk-web-tiers:'));
});
