/**
 * Behaviour of the two Kubernetes examples (their snapshots live in test/examples.test.ts).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BuycycleHybridStack } from '../../examples/buycycle-hybrid';
import { RunTheWorldStack } from '../../examples/run-the-world';
import { deployedValues, DEPLOY_TIME, helmTemplate, k8sTools, kubernetesValidate } from './fixtures';

jest.setTimeout(15 * 60 * 1000);
const env = { region: 'us-east-1' };

describe('Run The World', () => {
  const stack = new RunTheWorldStack(new App(), 'RunTheWorld', { env });
  const template = Template.fromStack(stack);
  const release = () => Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart')).find(c => c.Properties.Release === 'api')!.Properties;

  test('Aurora PostgreSQL Serverless v2: a writer and a reader that scales with it, encrypted, IAM auth, in a backup plan', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 64 },
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      BackupRetentionPeriod: 14,
    });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PromotionTier: 1 });
    template.hasResourceProperties('AWS::Backup::BackupSelection', { BackupSelection: Match.objectLike({ SelectionName: 'Database' }) });
  });

  test('the credentials reach pods as a secret ARN fetched through the pod identity, never as a value', () => {
    const values = deployedValues(release());
    expect(values.secretFiles).toEqual([{ name: 'database-secret-file', envName: 'DATABASE_SECRET_FILE', secretArn: DEPLOY_TIME }]);
    expect(JSON.stringify(release().Values)).toContain('DatabaseSecretAttachment');
    const podPolicy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .find(p => JSON.stringify(p.Properties.Roles).includes('ApiPodRole'))!;
    expect(JSON.stringify(podPolicy.Properties.PolicyDocument)).toContain('secretsmanager:GetSecretValue');
    // Only the pods' security group (the cluster's) reaches the database port.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5433, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Cluster'), 'ClusterSecurityGroupId'] } });
  });

  test('pre-scales before the Thursday keynote and falls back after it; scales on CPU and requests per pod', () => {
    expect(deployedValues(release()).requestsScaling).toMatchObject({ requestsPerPodPerMinute: 1500, region: 'us-east-1' });
    expect(deployedValues(release()).scheduledScaling.map((s: any) => [s.name, s.minReplicas])).toEqual([['keynote', 40], ['after-keynote', 4]]);
  });

  test('monitoring: Prometheus workspace, managed collector, alerts to the SNS topic, OpenTelemetry collector', () => {
    template.resourceCountIs('AWS::APS::Workspace', 1);
    template.resourceCountIs('AWS::APS::Scraper', 1);
    template.resourceCountIs('AWS::APS::RuleGroupsNamespace', 1);
    expect(JSON.stringify(template.findResources('AWS::APS::Workspace'))).toContain('sns_configs');
  });

  test("the API's chart renders and validates against the cluster's Kubernetes version", () => {
    k8sTools();
    const yaml = helmTemplate(release().Release, deployedValues(release()), release().Namespace);
    const report = kubernetesValidate(yaml, stack.cluster.kubernetesVersion);
    expect(report.lines.filter(l => l.startsWith('ERROR'))).toEqual([]);
    expect(report.lines.filter(l => l.includes('passed')).length).toBeGreaterThanOrEqual(9);
  });
});

describe('Buycycle hybrid', () => {
  const stack = new BuycycleHybridStack(new App(), 'BuycycleHybrid', { env });
  const template = Template.fromStack(stack);

  test('one load balancer: the EC2 storefront is the default, /api/* and /search* go to the Kubernetes tier', () => {
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '5' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'ip', HealthCheckPath: '/healthz' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*', '/search*'] } }],
      Actions: [Match.objectLike({ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('ApiTargetGroup') } })],
    });
    const listener = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: 443 } }))[0];
    expect(JSON.stringify(listener.Properties.DefaultActions)).toContain('StorefrontTargetGroup');
  });

  test('the Kubernetes tier bursts onto Spot above a small On-Demand base', () => {
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap(r => JSON.parse(stack.resolve(r.Properties.Manifest)));
    const pools = manifests.filter((m: any) => m.kind === 'NodePool');
    expect(pools.map((p: any) => [p.metadata.name, p.spec.limits.cpu])).toEqual([['on-demand-base', '4'], ['spot-burst', '96']]);
  });
});
