/**
 * cdk-nag AwsSolutions on every example stack. cdk-nag 3 runs directly on the construct tree
 * (`validateScope`): on aws-cdk-lib 2.257 the Validations plugin route checks nothing.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { App, PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { buildExamplesApp } from '../bin/app';
import { newStack } from './helpers';

/** One line per violating resource, so a failure prints what to fix. */
function readable(violations: PolicyViolation[]): string[] {
  return violations.flatMap(v => v.violatingResources.map(r => `${v.ruleName} on ${r.constructPath}: ${v.description}`)).sort();
}

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** Every acknowledged rule in the tree, as cdk-nag reads them (NagPack.isAcknowledged). */
function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({ path: construct.node.path, id: key.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions on the examples app', () => {
  let app: App;

  beforeAll(() => {
    app = buildExamplesApp();
    app.synth(); // the same tree `cdk synth` sees (aspects applied, validations run)
  });

  test('no violations', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(readable(report.violations)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('every AwsSolutions acknowledgement has a real reason', () => {
    const acks = acknowledgements(app).filter(a => a.id.startsWith('AwsSolutions-'));
    expect(acks.length).toBeGreaterThan(0);
    const bad = acks
      .filter(a => typeof a.reason !== 'string' || a.reason.trim().length < 20 || /internal tooling/i.test(a.reason))
      .map(a => `${a.path} ${a.id}: ${JSON.stringify(a.reason)}`);
    expect(bad).toEqual([]);
  });
});

describe('the nag check can fail', () => {
  test('an unencrypted bucket and SSH open to the world are reported', () => {
    const stack: Stack = newStack('Bad');
    new s3.CfnBucket(stack, 'PlainBucket');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const sg = new ec2.SecurityGroup(stack, 'OpenSsh', { vpc });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
    const app = stack.node.root as App;
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const rules = report.violations.map(v => v.ruleName);
    expect(report.success).toBe(false);
    expect(rules.filter(r => r.startsWith('AwsSolutions-')).length).toBeGreaterThan(0);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-EC23']));
    expect(readable(report.violations)).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-EC23 on Bad\/OpenSsh\/Resource: /)]));
  });

  test('an acknowledgement with the finding id hides exactly that finding', () => {
    const stack = newStack('Acked');
    const bucket = new s3.CfnBucket(stack, 'PlainBucket');
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'Fixture bucket of this test, it holds no data at all' });
    const app = stack.node.root as App;
    const rules = new AwsSolutionsChecks(app).validateScope(app).violations.map(v => v.ruleName);
    expect(rules).not.toContain('AwsSolutions-S1');
    expect(rules).toContain('AwsSolutions-S10');
    expect(acknowledgements(app)).toEqual([{ path: 'Acked/PlainBucket', id: 'AwsSolutions-S1', reason: expect.stringMatching(/^Fixture/) }]);
  });
});
