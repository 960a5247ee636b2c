import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnElement } from 'aws-cdk-lib';
import { AppSource, KubernetesWebTier, KubernetesWebTierProps, StatelessWebTier, TierLoadBalancer } from '../../lib';
import { AMI, CERTIFICATE_ARN } from '../helpers';
import { clusterStack, DEPLOY_TIME, deployedValues } from './fixtures';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

const BASE = {
  image: 'public.ecr.aws/runtheworld/api:1.4.2',
  resources: { cpu: '500m', memory: '512Mi' },
  replicas: { min: 3, max: 30 },
};

function tier(extra: Partial<KubernetesWebTierProps> = {}, withLb = false) {
  const { stack, vpc, cluster } = clusterStack();
  const loadBalancer = withLb ? new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) }) : undefined;
  const api = new KubernetesWebTier(stack, 'Api', { cluster, loadBalancer, ...BASE, ...extra } as KubernetesWebTierProps);
  return { stack, vpc, cluster, api, loadBalancer };
}

function release(stack: any): Record<string, any> {
  const charts = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart');
  expect(Object.keys(charts)).toHaveLength(1);
  return Object.values(charts)[0].Properties;
}

describe('KubernetesWebTier', () => {
  test('installs the library chart from an asset (nothing fetched at synth), atomic, with the values it computed', () => {
    const { stack } = tier({ environment: { LOG_LEVEL: 'info' } });
    const props = release(stack);
    expect(JSON.stringify(props.ChartAssetURL)).toMatch(/s3:\/\/.*\.zip/);
    expect(props.Repository).toBeUndefined();
    expect(props).toMatchObject({ Release: 'api', Namespace: 'api', Atomic: true, Wait: true });
    const values = deployedValues(props);
    expect(values).toMatchObject({
      name: 'api',
      image: 'public.ecr.aws/runtheworld/api:1.4.2',
      containerPort: 8080,
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '512Mi' } },
      replicas: { min: 3, max: 30 },
      targetCpuPercent: 60,
      env: [{ name: 'LOG_LEVEL', value: 'info' }],
      serviceAccountName: 'api',
      targetGroupArn: '',
    });
  });

  test('truthful health: readiness (traffic) and liveness (restart) are separate; a slow start gets a startup budget', () => {
    const api = tier({ healthCheck: { path: '/ready', livenessPath: '/alive' } }).api as any;
    expect(api.values.probes.readiness).toMatchObject({ path: '/ready' });
    expect(api.values.probes.liveness).toMatchObject({ path: '/alive' });
    // Liveness tolerates two minutes of silence before a restart; readiness leaves in ten seconds.
    expect(api.values.probes.liveness.periodSeconds * api.values.probes.liveness.failureThreshold).toBe(120);
    expect(api.values.probes.readiness.periodSeconds * api.values.probes.readiness.failureThreshold).toBe(10);
    expect(api.values.probes.startup.periodSeconds * api.values.probes.startup.failureThreshold).toBe(300);
    expect(api.values.probes.startup.path).toBe('/alive');
  });

  test('pod identity: a role only EKS Pod Identity assumes, associated with the tier service account', () => {
    const { stack } = tier();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'api', ServiceAccount: 'api' });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { Service: 'pods.eks.amazonaws.com' } })]) },
    });
  });

  test('grants exactly what grant calls ask for, in a customer managed policy; nothing without grants', () => {
    const bare = tier();
    Template.fromStack(bare.stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    const { stack, api } = tier();
    new s3.Bucket(stack, 'Media').grantRead(api);
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    const actions = policies[0].Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action));
    expect(actions.sort()).toEqual(['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
    expect(JSON.stringify(policies[0].Properties.Roles)).toContain('ApiPodRole');
  });

  test('secrets reach pods as files fetched through the pod identity: the ARN is in the values, the value never', () => {
    const { stack, vpc, cluster } = clusterStack();
    const secret = new secretsmanager.Secret(stack, 'Db');
    new KubernetesWebTier(stack, 'Api', { cluster, ...BASE, secrets: { DATABASE_SECRET_FILE: secret } });
    const values = deployedValues(release(stack));
    expect(values.secretFiles).toEqual([{ name: 'database-secret-file', envName: 'DATABASE_SECRET_FILE', secretArn: DEPLOY_TIME }]);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0];
    expect(policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)).sort())
      .toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    void vpc;
  });

  test('joins a TierLoadBalancer through an IP target group, health-checked on the readiness path; the load balancer reaches the pods', () => {
    const { stack, api } = tier({ routing: { hostHeaders: ['api.example.com'], priority: 10 } }, true);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip', Port: 8080, Protocol: 'HTTP', HealthCheckPath: '/healthz',
      Tags: Match.arrayWith([Match.objectLike({ Key: 'eks:eks-cluster-name' })]),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [Match.objectLike({ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } })],
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp', GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Cluster'), 'ClusterSecurityGroupId'] } });
    expect(deployedValues(release(stack)).targetGroupArn).toBe(DEPLOY_TIME);
    expect(api.targetGroup).toBeDefined();
    // Its requests in the access logs: slowest and top 5xx paths of its target group, in its folder.
    for (const name of ['slowest paths', 'top 5xx paths']) {
      t.hasResourceProperties('AWS::Logs::QueryDefinition', {
        Name: `${api.node.path}/${name}`,
        QueryString: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stack.getLogicalId(api.targetGroup!.node.defaultChild as CfnElement) }])] },
      });
    }
  });

  test('an EC2 tier and a Kubernetes tier share one load balancer by weight', () => {
    const { stack, vpc, cluster } = clusterStack();
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
    new StatelessWebTier(stack, 'Baseline', {
      vpc, loadBalancer: lb, source: AppSource.fromMachineImage(ec2.MachineImage.genericLinux({ 'us-east-1': AMI })),
      capacity: { min: 2, max: 2 },
    });
    new KubernetesWebTier(stack, 'Burst', { cluster, loadBalancer: lb, ...BASE, weight: { thisTier: 30, defaultTier: 70 } });
    const listener = Object.values(Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 443 } }))[0];
    const forward = listener.Properties.DefaultActions[0].ForwardConfig.TargetGroups;
    expect(forward.map((g: any) => g.Weight)).toEqual([70, 30]);
    expect(JSON.stringify(forward[0])).toContain('Baseline');
    expect(JSON.stringify(forward[1])).toContain('Burst');
  });

  test('scheduled pre-scale for known events', () => {
    const api = tier({ scaling: { scheduled: [{ name: 'keynote', schedule: '30 16 * * 4', minReplicas: 20, timeZone: 'Europe/London' }] } }).api as any;
    expect(api.values.scheduledScaling).toEqual([{ name: 'keynote', schedule: '30 16 * * 4', minReplicas: 20, timeZone: 'Europe/London' }]);
  });

  describe('bad input fails at synth with prop, value and fix', () => {
    test.each([
      ['no resource requests', { resources: undefined }, /Test\/Api: invalid resources \(not set\)\. Every pod needs CPU and memory requests/],
      ['a memory request without a unit', { resources: { cpu: '1', memory: '512' } }, /invalid resources.memory \("512"\).*512Mi/],
      ['a probe on a port the container does not expose', { healthCheck: { port: 9090 } }, /invalid healthCheck.port \(9090\)\. The container exposes only containerPort 8080/],
      ['min replicas above max', { replicas: { min: 5, max: 2 } }, /invalid replicas.min \(5\)\. It is greater than replicas.max \(2\)/],
      ['the latest tag', { image: 'nginx:latest' }, /invalid image \("nginx:latest"\).*pin a version tag or a digest.*allowLatestTag: true/],
      ['no tag at all', { image: 'registry.example.com:5000/team/api' }, /invalid image .*allowLatestTag/],
      ['a pre-scale above max', { scaling: { scheduled: [{ name: 'x', schedule: '0 9 * * *', minReplicas: 99 }] } }, /invalid scaling.scheduled\[x\].minReplicas \(99\)/],
      ['routing without a load balancer', { routing: { pathPatterns: ['/api/*'], priority: 5 } }, /invalid routing .*pass loadBalancer/],
      ['a name that is no DNS label', { name: 'My_Api' }, /invalid name \("My_Api"\)/],
    ])('%s', (_what, extra, message) => {
      expect(() => tier(extra as any)).toThrow(message);
    });

    test('the latest tag with the explicit opt-in, and a digest, are accepted', () => {
      expect(() => tier({ image: 'nginx:latest', allowLatestTag: true })).not.toThrow();
      expect(() => tier({ image: 'nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' })).not.toThrow();
    });

    test('weight without a default tier to share with', () => {
      expect(() => tier({ weight: { thisTier: 1, defaultTier: 1 } }, true)).toThrow(/invalid weight .*no default tier to share with/);
    });
  });
});

void elbv2;

describe('requests-per-pod scaling', () => {
  test('installs KEDA once per cluster (pinned chart, own pod identity reading CloudWatch) and the tier waits for it', () => {
    const { stack, vpc, cluster } = clusterStack();
    const lb = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN) });
    new KubernetesWebTier(stack, 'Api', { cluster, loadBalancer: lb, ...BASE, routing: { pathPatterns: ['/api/*'], priority: 5 }, scaling: { requestsPerSecondPerPod: 10 } });
    new KubernetesWebTier(stack, 'Web', { cluster, loadBalancer: lb, ...BASE, scaling: { requestsPerSecondPerPod: 15 } });
    const t = Template.fromStack(stack);
    const charts = t.findResources('Custom::AWSCDK-EKS-HelmChart');
    const keda = Object.entries(charts).filter(([, c]) => c.Properties.Chart === 'keda');
    expect(keda).toHaveLength(1);
    expect(keda[0][1].Properties).toMatchObject({ Repository: 'https://kedacore.github.io/charts', Version: '2.20.2', Namespace: 'keda' });
    for (const [, c] of Object.entries(charts).filter(([, c]) => c.Properties.Release === 'api' || c.Properties.Release === 'web')) {
      expect(c.DependsOn).toContain(keda[0][0]);
    }
    t.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'keda', ServiceAccount: 'keda-operator' });
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: [Match.objectLike({ Action: 'cloudwatch:GetMetricData' })] } });
  });

  test('without a load balancer there are no requests to count', () => {
    expect(() => tier({ scaling: { requestsPerSecondPerPod: 10 } })).toThrow(/invalid scaling.requestsPerSecondPerPod \(10\)\. Requests are counted by the load balancer's target group: pass loadBalancer/);
  });

  test('CPU only by default: no KEDA', () => {
    const { stack } = tier({}, true);
    expect(Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart')).map(c => c.Properties.Release)).toEqual(['api']);
  });
});
