import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnParameter, CfnParameterProps, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TierLoadBalancer, TierLoadBalancerProps } from '../lib';
import { logicalIdOf, newStack, resourcesOfType, testCertificate } from './helpers';

function build(props: Partial<TierLoadBalancerProps> = {}) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: props.protocol === elbv2.ApplicationProtocol.HTTP ? undefined : testCertificate(stack), ...props });
  return { stack, vpc, lb, template: Template.fromStack(stack) };
}

describe('TierLoadBalancer firewall (AWS WAF)', () => {
  test('a regional web ACL with a per-IP rate limit and the AWS managed rule groups, associated with the load balancer', () => {
    const { lb, template } = build();
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const [, acl] = resourcesOfType(template, 'AWS::WAFv2::WebACL')[0];
    expect(acl.Properties!.Scope).toBe('REGIONAL');
    expect(acl.Properties!.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Properties!.Rules as any[];
    expect(rules.map(r => r.Name)).toEqual(['RateLimitPerIp', 'AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    expect(rules[0]).toMatchObject({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } });
    // Uploads are bigger than the common rule set's 8 KB body limit: counted, not blocked.
    expect(rules[2].Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    for (const rule of rules) expect(rule.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { Ref: logicalIdOf(lb.loadBalancer) },
      WebACLArn: { 'Fn::GetAtt': [logicalIdOf(lb.webAcl!), 'Arn'] },
    });
  });

  test('requests are logged to an encrypted aws-waf-logs- group, without authorization headers and cookies', () => {
    const { template } = build();
    const [groupId, group] = resourcesOfType(template, 'AWS::Logs::LogGroup').find(([, g]) => String(g.Properties?.LogGroupName).startsWith('aws-waf-logs-'))!;
    expect(group.Properties!.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(group.Properties!.RetentionInDays).toBe(365);
    const [, logging] = resourcesOfType(template, 'AWS::WAFv2::LoggingConfiguration')[0];
    expect(JSON.stringify(logging.Properties!.LogDestinationConfigs)).toContain(`:log-group:${group.Properties!.LogGroupName}`);
    // The load-test token is a credential too: it must not reach the WAF logs.
    expect(logging.Properties!.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }, { SingleHeader: { Name: 'x-cdk-web-tiers-load-test' } }]);
    expect(logging.DependsOn).toContain(groupId);
  });

  test('the rate limit is a prop', () => {
    const { template } = build({ requestsPerIpPer5Minutes: 20000 });
    const [, acl] = resourcesOfType(template, 'AWS::WAFv2::WebACL')[0];
    expect((acl.Properties!.Rules as any[])[0].Statement.RateBasedStatement.Limit).toBe(20000);
  });

  test('turned off: no web ACL', () => {
    const { lb, template } = build({ webApplicationFirewall: false });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(lb.webAcl).toBeUndefined();
  });

  test.each([
    [{ requestsPerIpPer5Minutes: 50 }, /requestsPerIpPer5Minutes \(50\)/],
    [{ webApplicationFirewall: false, requestsPerIpPer5Minutes: 5000 }, /requestsPerIpPer5Minutes \(5000\)\. The rate limit is a firewall rule/],
  ])('rejects %j', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('TierLoadBalancer access logs and listener options', () => {
  test('the log bucket expires logs after a year by default, or after accessLogsRetention', () => {
    build().template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })]) },
    });
    build({ accessLogsRetention: Duration.days(90) }).template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
    });
  });

  test('a bucket of your own receives the logs; no bucket is created', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const bucket = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack), accessLogsBucket: bucket });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(lb.accessLogsBucket).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.bucket', Value: { Ref: logicalIdOf(bucket) } }]),
    });
  });

  test('retention with a bucket of your own fails: it would not apply', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    expect(() => new TierLoadBalancer(stack, 'Lb', {
      vpc, certificate: testCertificate(stack), accessLogsBucket: new s3.Bucket(stack, 'Logs'), accessLogsRetention: Duration.days(30),
    })).toThrow(/accessLogsRetention \("30 days"\)/);
  });

  test('TLS policy and idle timeout are props', () => {
    const { template } = build({ sslPolicy: elbv2.SslPolicy.TLS13_13, idleTimeout: Duration.seconds(120) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, SslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '120' }]),
    });
  });

  test.each([
    [{ idleTimeout: Duration.seconds(5000) }, /idleTimeout \(seconds\) \(5000\)/],
    [{ accessLogsRetention: Duration.days(5000) }, /accessLogsRetention \(days\) \(5000\)/],
  ])('rejects %j', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});

describe('TierLoadBalancer.exemptLoadTestFromRateLimit (issue 17, item 5)', () => {
  // https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-request-limiting.html: "If you
  // define a scope-down statement for the rule, AWS WAF only aggregates, counts, and rate limits requests that match the
  // scope-down statement." https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html:
  // "The secretsmanager dynamic reference can be used in all resource properties."
  test('requests carrying the token are not counted by the per-IP rate limit; everyone else still is, and the managed rules see all', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
    const token = secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'acme/staging/load-test-token');
    lb.exemptLoadTestFromRateLimit(token);
    const template = Template.fromStack(stack);
    const rules = resourcesOfType(template, 'AWS::WAFv2::WebACL')[0][1].Properties!.Rules as any[];
    expect(rules.map(r => r.Name)).toEqual(['RateLimitPerIp', 'AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    expect(rules[0].Action).toEqual({ Block: {} });
    expect(rules[0].Statement.RateBasedStatement).toMatchObject({ Limit: 2000, AggregateKeyType: 'IP' });
    const match = rules[0].Statement.RateBasedStatement.ScopeDownStatement.NotStatement.Statement.ByteMatchStatement;
    expect(match.FieldToMatch).toEqual({ SingleHeader: { Name: 'x-cdk-web-tiers-load-test' } });
    expect(match.PositionalConstraint).toBe('EXACTLY');
    // The template holds a dynamic reference to the secret, never its value.
    expect(JSON.stringify(match.SearchString)).toContain('{{resolve:secretsmanager:');
    expect(JSON.stringify(match.SearchString)).toContain('acme/staging/load-test-token');
  });

  test('without a firewall there is no rate limit to exempt from', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack), webApplicationFirewall: false });
    expect(() => lb.exemptLoadTestFromRateLimit(secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 't')))
      .toThrow(/invalid exemptLoadTestFromRateLimit\(token\).*webApplicationFirewall is false/);
  });
});

describe('cfn-guard CT.ELASTICLOADBALANCING.PR.2 and a certificate ARN from a parameter (issue 17, item 8)', () => {
  // The Control Tower rule (ct-elasticloadbalancing-pr-2.guard) accepts a listener certificate only as a literal
  // arn:aws:acm:... or a Ref/GetAtt to an AWS::CertificateManager::Certificate of the template: a parameter is a finding.
  function withParameter(parameter: Partial<CfnParameterProps>) {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const arn = new CfnParameter(stack, 'CertificateArn', { type: 'String', ...parameter });
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', arn.valueAsString) });
    const listener = resourcesOfType(Template.fromStack(stack), 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties!.Protocol === 'HTTPS')![1];
    return { lb, listener };
  }

  test('an SSM-typed parameter or an ACM-only AllowedPattern: acknowledged on the listener, with the parameter named in the reason', () => {
    const ssm = withParameter({ type: 'AWS::SSM::Parameter::Value<String>', default: '/acme/prod/certificate-arn' }).listener;
    expect(ssm.Metadata!.guard.SuppressedRules).toEqual(['CT.ELASTICLOADBALANCING.PR.2']);
    expect(ssm.Metadata!['cdk-web-tiers:acknowledgements']['cfn-guard']['CT.ELASTICLOADBALANCING.PR.2']).toMatch(/SSM parameter \/acme\/prod\/certificate-arn/);
    const pattern = withParameter({ allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$' }).listener;
    expect(pattern.Metadata!['cdk-web-tiers:acknowledgements']['cfn-guard']['CT.ELASTICLOADBALANCING.PR.2']).toMatch(/AllowedPattern .* only accepts ACM certificate ARNs/);
  });

  test('a plain String parameter, which could hold any ARN, stays a finding', () => {
    expect(withParameter({}).listener.Metadata?.guard).toBeUndefined();
  });

  test('a literal ACM ARN needs no acknowledgement', () => {
    const { template } = build();
    const [, listener] = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties!.Protocol === 'HTTPS')!;
    expect(listener.Metadata?.guard).toBeUndefined();
  });
});
