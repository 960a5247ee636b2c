/**
 * TierNotifications: the encrypted topic, its recipients, one per stack, and every alarm of the
 * stack (L2, composite, L1) wired to it.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Aspects, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as nag from 'cdk-nag';
import { StatelessWebTier, TierNetwork, TierNotifications } from '../../lib';
import { logicalIdOf, newStack, resourcesOfType, testCertificate, testSource } from '../helpers';

const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors', period: Duration.minutes(1) });

describe('TierNotifications', () => {
  test('an SNS topic encrypted with a rotated customer managed key, TLS only, CloudWatch allowed to publish', () => {
    const stack = newStack();
    const n = new TierNotifications(stack, 'Alerts', { emails: ['oncall@example.com'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchAlarms', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]) },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        Match.objectLike({ Sid: 'CloudWatchAlarms', Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
      ]) },
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: logicalIdOf(n.topic) } });
  });

  test('addEmail adds a subscription; of() returns the stack\'s instance from any construct in it', () => {
    const stack = newStack();
    const n = new TierNotifications(stack, 'Alerts');
    const deep = new cloudwatch.Alarm(stack, 'Deep', { metric, threshold: 1, evaluationPeriods: 1 });
    expect(TierNotifications.of(deep)).toBe(n);
    TierNotifications.of(stack).addEmail('a@example.com');
    TierNotifications.of(stack).addEmail('b@example.com');
    expect(resourcesOfType(Template.fromStack(stack), 'AWS::SNS::Subscription').map(([, r]) => r.Properties?.Endpoint).sort()).toEqual(['a@example.com', 'b@example.com']);
  });

  test('of() creates a default one at <stack>/Notifications when there is none', () => {
    const stack = newStack();
    expect(TierNotifications.of(stack).node.path).toBe('Test/Notifications');
    expect(TierNotifications.of(stack)).toBe(TierNotifications.of(stack));
  });

  test('routeAllAlarms: every alarm without an action gets the topic as alarm and OK action: L2, composite and L1', () => {
    const stack = newStack();
    const n = new TierNotifications(stack, 'Alerts', { routeAllAlarms: true });
    const l2 = new cloudwatch.Alarm(stack, 'L2', { metric, threshold: 1, evaluationPeriods: 1 });
    const composite = new cloudwatch.CompositeAlarm(stack, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(l2, cloudwatch.AlarmState.ALARM) });
    const l1 = new cloudwatch.CfnAlarm(stack, 'L1', {
      namespace: 'Test', metricName: 'Errors', statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanThreshold',
    });
    const t = Template.fromStack(stack).toJSON().Resources;
    const topic = { Ref: logicalIdOf(n.topic) };
    for (const alarm of [l2, composite, l1]) {
      expect(t[logicalIdOf(alarm)].Properties.AlarmActions).toEqual([topic]);
      expect(t[logicalIdOf(alarm)].Properties.OKActions).toEqual([topic]);
    }
  });

  test('without routeAllAlarms (the default) your own alarms are left as you made them, and synth does not ask for an action', () => {
    const stack = newStack();
    new TierNotifications(stack, 'Alerts');
    const yours = new cloudwatch.Alarm(stack, 'Yours', { metric, threshold: 1, evaluationPeriods: 1 });
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(yours)].Properties.AlarmActions).toBeUndefined();
    expect(stack.node.validate()).toEqual([]);
    // No Aspect was added to the stack: nothing of the library rewrites constructs it did not create.
    expect(Aspects.of(stack).all).toEqual([]);
  });

  test('an alarm with its own action keeps it', () => {
    const stack = newStack();
    new TierNotifications(stack, 'Alerts', { routeAllAlarms: true });
    const own = new cloudwatch.CfnAlarm(stack, 'Own', {
      namespace: 'Test', metricName: 'Errors', statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanThreshold',
      alarmActions: ['arn:aws:sns:us-east-1:123456789012:elsewhere'],
    });
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(own)].Properties.AlarmActions).toEqual(['arn:aws:sns:us-east-1:123456789012:elsewhere']);
  });

  test('routeAllAlarms: an alarm left without an action is a synth error (validation, before the aspect gave it one)', () => {
    const stack = newStack();
    new TierNotifications(stack, 'Alerts', { routeAllAlarms: true });
    new cloudwatch.Alarm(stack, 'Lonely', { metric, threshold: 1, evaluationPeriods: 1 });
    // Validations run after aspects at synth; called directly they see the alarm as the user left it.
    expect(stack.node.validate().join('\n')).toMatch(/Test\/Lonely\/Resource: invalid alarm actions \(none\)/);
  });

  test('a Slack channel through AWS Chatbot: notifications-only role, CloudWatch read-only guardrail', () => {
    const stack = newStack();
    new TierNotifications(stack, 'Alerts', { slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T07EA123LEP',
      SlackChannelId: 'C07EZ1ABC23',
      SnsTopicArns: [Match.anyValue()],
      GuardrailPolicies: [{ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/CloudWatchReadOnlyAccess'])] }],
    });
    const roles = resourcesOfType(t, 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('chatbot.amazonaws.com'));
    expect(roles).toHaveLength(1);
    expect(roles[0][1].Properties?.ManagedPolicyArns).toBeUndefined();
    expect(resourcesOfType(t, 'AWS::IAM::Policy')).toHaveLength(0);
  });

  describe('bad input fails with the prop, the value and the fix', () => {
    test.each([
      [{ emails: ['not-an-address'] }, /Test\/Alerts: invalid emails \("not-an-address"\)\. Give an e-mail address/],
      [{ slack: { workspaceId: '', channelId: 'C07EZ1ABC23' } }, /invalid slack\.workspaceId \(""\)\. Give the Slack workspace id/],
      [{ slack: { workspaceId: 'T07EA123LEP', channelId: '#alerts' } }, /invalid slack\.channelId \("#alerts"\)\. Give the channel id/],
      [{ slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23', configurationName: 'has spaces' } }, /invalid slack\.configurationName/],
    ])('%j', (props, message) => {
      expect(() => new TierNotifications(newStack(), 'Alerts', props as any)).toThrow(message);
    });

    test('a second TierNotifications in a stack says how to fix it', () => {
      const stack = newStack();
      TierNotifications.of(stack);
      expect(() => new TierNotifications(stack, 'Alerts')).toThrow(
        /Test\/Alerts: invalid TierNotifications \("a second one in Test"\)\. Test\/Notifications already receives this stack's alarms\. Create your TierNotifications before the tiers/);
    });
  });
});

describe('TierNotifications under the compliance packs', () => {
  test('a topic with e-mail and Slack has no cdk-nag finding (AwsSolutions, NIST 800-53, HIPAA, PCI DSS)', () => {
    const stack = newStack();
    new TierNotifications(stack, 'Alerts', { emails: ['oncall@example.com'], slack: { workspaceId: 'T07EA123LEP', channelId: 'C07EZ1ABC23' }, routeAllAlarms: true });
    new cloudwatch.Alarm(stack, 'Alarm', { metric, threshold: 1, evaluationPeriods: 1 });
    const app = stack.node.root as any;
    app.synth();
    for (const Pack of [nag.AwsSolutionsChecks, nag.NIST80053R5Checks, nag.HIPAASecurityChecks, nag.PCIDSS321Checks]) {
      const report = new Pack(app).validateScope(app);
      const findings = report.violations.flatMap((v: any) => v.violatingResources.map((r: any) => `${v.ruleName} on ${r.constructPath}`));
      expect(findings).toEqual([]);
    }
  });
});

describe('TierNotifications with the library\'s own composite alarms', () => {
  test('routeAllAlarms leaves the windows of an SLO burn-rate alert without an action: only their composite notifies', () => {
    const stack = newStack();
    const n = new TierNotifications(stack, 'Alerts', { routeAllAlarms: true });
    const vpc = new TierNetwork(stack, 'Net').vpc;
    new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack), slo: { availability: 99.9 } });
    const alarms = resourcesOfType(Template.fromStack(stack), 'AWS::CloudWatch::Alarm');
    const windows = alarms.filter(([id]) => /^WebSlo.*(Long|Short)/.test(id));
    expect(windows.length).toBeGreaterThan(0);
    for (const [, alarm] of windows) expect(alarm.Properties?.AlarmActions).toBeUndefined();
    const composites = resourcesOfType(Template.fromStack(stack), 'AWS::CloudWatch::CompositeAlarm');
    expect(composites.length).toBeGreaterThan(0);
    for (const [, composite] of composites) expect(composite.Properties?.AlarmActions).toEqual([{ Ref: logicalIdOf(n.topic) }]);
    expect(stack.node.validate()).toEqual([]);
  });

  test('a construct of yours at the library\'s ids gets the library\'s error, not a duplicate-id error', () => {
    const stack = newStack();
    new cloudwatch.Dashboard(stack, 'Dashboard');
    new cloudwatch.Alarm(stack, 'Notifications', { metric, threshold: 1, evaluationPeriods: 1 });
    expect(() => TierNotifications.of(stack)).toThrow(/Test\/Notifications: invalid id \("Notifications"\)\. The library creates the stack's TierNotifications/);
    const other = newStack('Other');
    new cloudwatch.Dashboard(other, 'Dashboard');
    expect(() => new StatelessWebTier(other, 'Web', { vpc: new TierNetwork(other, 'Net').vpc, source: testSource(), certificate: testCertificate(other) }))
      .toThrow(/Other\/Dashboard: invalid id \("Dashboard"\)\. The stack's cdk-web-tiers dashboard/);
  });
});
