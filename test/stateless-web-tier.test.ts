/**
 * StatelessWebTier and its TierLoadBalancer: load balancer defaults, listeners, target group,
 * scaling, shared load balancers, escape hatches and metrics.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { StatelessWebTier, TierLoadBalancer } from '../lib';
import {
  CERTIFICATE_ARN, logicalIdOf, newStack, resource, resourcesOfType, statementsOfRole, testCertificate, testSource, testVpc,
} from './helpers';

function lbAttributes(template: Template): Record<string, unknown> {
  const [[, lb]] = resourcesOfType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  return Object.fromEntries(lb.Properties!.LoadBalancerAttributes.map((a: { Key: string; Value: unknown }) => [a.Key, a.Value]));
}

/** Ports on which the tier's instances accept traffic from its load balancer's security group. */
function ingressPortsFromLoadBalancer(template: Template, web: StatelessWebTier): number[] {
  const instances = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(web.connections.securityGroups[0]), 'GroupId'] });
  const lb = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(web.loadBalancer.connections.securityGroups[0]), 'GroupId'] });
  return resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
    .map(([, r]) => r.Properties!)
    .filter(p => JSON.stringify(p.GroupId) === instances && JSON.stringify(p.SourceSecurityGroupId) === lb)
    .map(p => p.FromPort as number)
    .sort();
}

describe('StatelessWebTier with defaults', () => {
  let stack: Stack;
  let vpc: ec2.Vpc;
  let web: StatelessWebTier;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    vpc = testVpc(stack);
    web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
    template = Template.fromStack(stack);
  });

  test('an internet-facing ALB in the public subnets', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Type: 'application',
      Subnets: vpc.publicSubnets.map(s => ({ Ref: logicalIdOf(s) })),
    });
  });

  test('drops invalid headers, deletion protection on, access logs on to the tier bucket', () => {
    const attributes = lbAttributes(template);
    expect(attributes).toEqual(expect.objectContaining({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'deletion_protection.enabled': 'true',
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.bucket': { Ref: logicalIdOf(web.tierLoadBalancer.accessLogsBucket!) },
    }));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('noDeletionProtection'));
  });

  test('access log bucket: SSE-S3, public access blocked, versioned, SSL only', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('HTTPS listener on 443 with the certificate and the TLS 1.3/1.2 policy, forwarding to the tier', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(web.targetGroup) } }],
    });
  });

  test('port 80 only redirects to HTTPS 443', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plainHttp'));
  });

  test('load balancer security group answers 443 and 80 from anywhere; instances only from the load balancer', () => {
    const lbSg = logicalIdOf(web.loadBalancer.connections.securityGroups[0]);
    expect(resource(template, lbSg).Properties!.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [logicalIdOf(web.connections.securityGroups[0]), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    });
  });

  test('target group: HTTP to the app port, default health check, 30 s deregistration delay', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'instance',
      HealthCheckEnabled: true,
      HealthCheckPath: '/',
      HealthCheckPort: 'traffic-port',
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      Matcher: { HttpCode: '200-399' },
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
        { Key: 'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage', Value: '60' },
      ]),
    });
  });

  test('the group is registered with the target group; only EC2 status and liveness replace instances (300 s grace)', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 300,
      MinSize: '2',
      MaxSize: '20',
      DesiredCapacity: Match.absent(),
      TargetGroupARNs: [{ Ref: logicalIdOf(web.targetGroup) }],
    });
  });

  test('CPU target tracking at 50 % and burst steps on one-minute CPU', () => {
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 2);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: { Ref: logicalIdOf(web.autoScalingGroup) },
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: { Ref: logicalIdOf(web.autoScalingGroup) },
      PolicyType: 'StepScaling',
      AdjustmentType: 'PercentChangeInCapacity',
      EstimatedInstanceWarmup: 60,
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 15, ScalingAdjustment: 100 },
        { MetricIntervalLowerBound: 15, MetricIntervalUpperBound: 25, ScalingAdjustment: 200 },
        { MetricIntervalLowerBound: 25, ScalingAdjustment: 700 },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1,
      Threshold: 70, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    template.resourceCountIs('AWS::AutoScaling::ScheduledAction', 0);
  });

  test('exposes the underlying L2 constructs', () => {
    expect(web.loadBalancer).toBeInstanceOf(elbv2.ApplicationLoadBalancer);
    expect(web.listener).toBeInstanceOf(elbv2.ApplicationListener);
    expect(web.targetGroup).toBeInstanceOf(elbv2.ApplicationTargetGroup);
    expect(web.autoScalingGroup).toBeInstanceOf(autoscaling.AutoScalingGroup);
    expect(web.launchTemplate).toBeInstanceOf(ec2.LaunchTemplate);
    expect(web.connections).toBeInstanceOf(ec2.Connections);
    expect(web.tierLoadBalancer).toBeInstanceOf(TierLoadBalancer);
    expect(web.appPort).toBe(8080);
    // ... and they are the resources in the template.
    expect(resource(template, logicalIdOf(web.loadBalancer)).Type).toBe('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(resource(template, logicalIdOf(web.listener)).Properties!.Port).toBe(443);
    expect(resource(template, logicalIdOf(web.targetGroup)).Type).toBe('AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(resource(template, logicalIdOf(web.autoScalingGroup)).Type).toBe('AWS::AutoScaling::AutoScalingGroup');
    expect(resource(template, logicalIdOf(web.launchTemplate)).Type).toBe('AWS::EC2::LaunchTemplate');
    expect(web.connections.securityGroups.map(sg => resource(template, logicalIdOf(sg)).Type)).toEqual(['AWS::EC2::SecurityGroup']);
    expect(web.connections.defaultPort).toBeUndefined();
  });

  test('grants to the tier land in a policy of the instance role', () => {
    const other = newStack('Grants');
    const tier = new StatelessWebTier(other, 'Web', { vpc: testVpc(other), source: testSource(), certificate: testCertificate(other) });
    const queue = new sqs.Queue(other, 'Queue');
    queue.grantSendMessages(tier);
    const otherTemplate = Template.fromStack(other);
    const statements = statementsOfRole(otherTemplate, logicalIdOf(tier.role));
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({
      Action: expect.arrayContaining(['sqs:SendMessage']),
      Resource: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
    })]));
  });

  test('metric helpers', () => {
    const asgName = { Ref: logicalIdOf(web.autoScalingGroup) };
    const cpu = web.metricCpuUtilization();
    expect([cpu.namespace, cpu.metricName, cpu.statistic]).toEqual(['AWS/EC2', 'CPUUtilization', 'Average']);
    expect(stack.resolve(cpu.dimensions)).toEqual({ AutoScalingGroupName: asgName });
    expect(web.metricCpuUtilization({ period: Duration.minutes(5) }).period.toMinutes()).toBe(5);

    const targetGroupDims = stack.resolve(web.metricRequestCount().dimensions);
    expect(Object.keys(targetGroupDims).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(JSON.stringify(targetGroupDims.TargetGroup)).toContain(logicalIdOf(web.targetGroup));
    // app/<name>/<id>, cut out of the listener ARN (arn:...:listener/app/<name>/<id>/<listener id>).
    expect(targetGroupDims.LoadBalancer['Fn::Join'][1].map((p: any) => p['Fn::Select']?.[0] ?? p)).toEqual([1, '/', 2, '/', 3]);
    expect(JSON.stringify(targetGroupDims.LoadBalancer)).toContain(`{"Ref":"${logicalIdOf(web.listener)}"}`);
    for (const [metric, name] of [
      [web.metricRequestCount(), 'RequestCount'],
      [web.metricHttp5xxCount(), 'HTTPCode_Target_5XX_Count'],
      [web.metricTargetResponseTime(), 'TargetResponseTime'],
    ] as const) {
      expect([metric.namespace, metric.metricName]).toEqual(['AWS/ApplicationELB', name]);
      expect(stack.resolve(metric.dimensions)).toEqual(targetGroupDims);
    }
  });
});

describe('StatelessWebTier options', () => {
  test('internal load balancer: private subnets, answers only the VPC CIDR', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack), internetFacing: false });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      Subnets: vpc.privateSubnets.map(s => ({ Ref: logicalIdOf(s) })),
    });
    const lbSg = logicalIdOf(web.loadBalancer.connections.securityGroups[0]);
    const vpcCidr = { 'Fn::GetAtt': [logicalIdOf(vpc), 'CidrBlock'] };
    const ingress = [
      ...(resource(template, lbSg).Properties!.SecurityGroupIngress ?? []),
      ...resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')
        .filter(([, r]) => JSON.stringify(r.Properties!.GroupId) === JSON.stringify({ 'Fn::GetAtt': [lbSg, 'GroupId'] }))
        .map(([, r]) => r.Properties!),
    ];
    expect(ingress.map(r => [r.CidrIp, r.FromPort]).sort()).toEqual([[vpcCidr, 443], [vpcCidr, 80]]);
  });

  test('plain HTTP: a port-80 listener forwarding to the tier, no 443, and a warning', () => {
    const stack = newStack();
    const web = new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), protocol: elbv2.ApplicationProtocol.HTTP });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      Certificates: Match.absent(),
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(web.targetGroup) } }],
    });
    Annotations.fromStack(stack).hasWarning('/Test/Web/LoadBalancer', Match.stringLikeRegexp('cdk-web-tiers:plainHttp'));
  });

  test('deletion protection off is possible, with a warning', () => {
    const stack = newStack();
    new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), deletionProtection: false });
    expect(lbAttributes(Template.fromStack(stack))['deletion_protection.enabled']).toBe('false');
    Annotations.fromStack(stack).hasWarning('/Test/Web/LoadBalancer', Match.stringLikeRegexp('cdk-web-tiers:noDeletionProtection'));
  });

  test('custom health check, app port, CPU target, request-count tracking and scheduled actions', () => {
    const stack = newStack();
    const web = new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: testSource(),
      certificate: testCertificate(stack),
      appPort: 3000,
      capacity: { min: 2, max: 20, desired: 4 },
      healthCheck: {
        path: '/healthz',
        port: 3001,
        healthyHttpCodes: '200,204',
        healthyThreshold: 3,
        unhealthyThreshold: 5,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(10),
        gracePeriod: Duration.minutes(10),
      },
      deregistrationDelay: Duration.seconds(60),
      scaling: {
        targetCpuPercent: 70,
        requestsPerTargetPerMinute: 1000,
        scheduled: [
          { name: 'MorningPeak', schedule: autoscaling.Schedule.cron({ hour: '7', minute: '45' }), min: 6, desired: 8, timeZone: 'Europe/Paris' },
          { name: 'Night', schedule: autoscaling.Schedule.cron({ hour: '22', minute: '0' }), min: 2, max: 10 },
        ],
      },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      HealthCheckPath: '/healthz',
      HealthCheckPort: '3001',
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 5,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 10,
      Matcher: { HttpCode: '200,204' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }]),
    });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      HealthCheckType: 'EC2',
      HealthCheckGracePeriod: 600,
      MinSize: '2',
      MaxSize: '20',
      DesiredCapacity: '4',
    });
    template.resourceCountIs('AWS::AutoScaling::ScalingPolicy', 3);
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 70 },
    });
    template.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      AutoScalingGroupName: { Ref: logicalIdOf(web.autoScalingGroup) },
      TargetTrackingConfiguration: {
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        },
        TargetValue: 1000,
      },
    });
    template.resourceCountIs('AWS::AutoScaling::ScheduledAction', 2);
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', {
      AutoScalingGroupName: { Ref: logicalIdOf(web.autoScalingGroup) },
      Recurrence: '45 7 * * *',
      MinSize: 6,
      DesiredCapacity: 8,
      MaxSize: Match.absent(),
      TimeZone: 'Europe/Paris',
    });
    template.hasResourceProperties('AWS::AutoScaling::ScheduledAction', {
      Recurrence: '0 22 * * *',
      MinSize: 2,
      MaxSize: 10,
      DesiredCapacity: Match.absent(),
    });
    // The instances answer the load balancer on the app port.
    expect(ingressPortsFromLoadBalancer(template, web)).toContain(3000);
  });

  // Known bug (see the report of issue 2): with healthCheck.port different from appPort, only the
  // app port is opened from the load balancer, so every health check times out and the ALB marks
  // all targets unhealthy. Flip to `test` once StatelessWebTier opens the health-check port too.
  test('a health check on its own port is allowed from the load balancer to the instances', () => {
    const stack = newStack();
    const web = new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: testSource(),
      certificate: testCertificate(stack),
      appPort: 3000,
      healthCheck: { port: 3001 },
    });
    expect(ingressPortsFromLoadBalancer(Template.fromStack(stack), web)).toEqual(expect.arrayContaining([3000, 3001]));
  });
});

describe('two tiers sharing one TierLoadBalancer', () => {
  let stack: Stack;
  let lb: TierLoadBalancer;
  let site: StatelessWebTier;
  let api: StatelessWebTier;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    const vpc = testVpc(stack);
    lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
    site = new StatelessWebTier(stack, 'Site', { vpc, source: testSource(), loadBalancer: lb });
    api = new StatelessWebTier(stack, 'Api', {
      vpc,
      source: testSource(),
      loadBalancer: lb,
      routing: { hostHeaders: ['api.example.com'], pathPatterns: ['/v1/*'], priority: 10 },
    });
    template = Template.fromStack(stack);
  });

  test('one load balancer, one HTTPS listener and its redirect, two target groups', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    expect(site.loadBalancer).toBe(lb.loadBalancer);
    expect(api.loadBalancer).toBe(lb.loadBalancer);
    expect(api.listener).toBe(lb.listener);
    expect(site.tierLoadBalancer).toBe(lb);
  });

  test('the tier without routing is the listener default', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(site.targetGroup) } }],
    });
  });

  test('the routed tier gets a listener rule with its host header, path and priority', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: logicalIdOf(lb.listener) },
      Priority: 10,
      Conditions: Match.arrayWith([
        { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/*'] } },
      ]),
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(api.targetGroup) } }],
    });
  });

  test('a listener without a default tier answers 404', () => {
    const other = newStack('Other');
    new TierLoadBalancer(other, 'Lb', { vpc: testVpc(other), certificate: testCertificate(other) });
    Template.fromStack(other).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
  });

  test('a TierLoadBalancer needs a region', () => {
    const agnostic = new Stack();
    expect(() => new TierLoadBalancer(agnostic, 'Lb', { vpc: testVpc(agnostic), certificate: testCertificate(agnostic) }))
      .toThrow(/invalid env\.region of the stack \("unresolved \(environment-agnostic stack\)"\)/);
  });
});
