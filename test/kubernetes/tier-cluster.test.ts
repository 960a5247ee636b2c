import * as fs from 'fs';
import * as path from 'path';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { webTierChartDir } from '../../lib/kubernetes/kubernetes-web-tier';
import { clusterStack } from './fixtures';

describe('TierCluster', () => {
  test('private endpoint, envelope encryption with a rotating key, every control plane log, access entries only', () => {
    const { stack } = clusterStack();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.33',
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
      EncryptionConfig: [{ Provider: { KeyArn: Match.anyValue() }, Resources: ['secrets'] }],
      Logging: { ClusterLogging: { EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map(type => ({ Type: type })) } },
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
      ComputeConfig: Match.objectLike({ Enabled: true, NodePools: ['system'] }),
      KubernetesNetworkConfig: Match.objectLike({ ElasticLoadBalancing: { Enabled: true } }),
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    // No aws-auth ConfigMap anywhere: only access entries.
    expect(JSON.stringify(t.toJSON())).not.toContain('aws-auth');
    t.resourceCountIs('AWS::EKS::AccessEntry', 1); // the deploy provider's
    expect(t.findOutputs('*')).toEqual({});
  });

  test('the deploy provider runs in the private subnets (the endpoint is private)', () => {
    const { stack } = clusterStack();
    const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('kubectl') } });
    expect(Object.keys(fns)).toHaveLength(1);
    expect(Object.values(fns)[0].Properties.VpcConfig.SubnetIds).toHaveLength(2);
  });

  test('public endpoint only when asked, limited to the given CIDR blocks', () => {
    const { stack } = clusterStack({ publicEndpointCidrs: ['203.0.113.0/24'] });
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
    });
  });

  test('admins get cluster admin through access entries', () => {
    const { stack } = clusterStack({ adminRoleArns: ['arn:aws:iam::123456789012:role/platform'] });
    const entries = Template.fromStack(stack).findResources('AWS::EKS::AccessEntry', { Properties: { PrincipalArn: 'arn:aws:iam::123456789012:role/platform' } });
    const policies = Object.values(entries)[0].Properties.AccessPolicies;
    expect(policies).toHaveLength(1);
    expect(JSON.stringify(policies[0].PolicyArn)).toContain('AmazonEKSClusterAdminPolicy');
    expect(policies[0].AccessScope).toEqual({ Type: 'cluster' });
  });

  test('node pools: an On-Demand base that fills first, Spot above it over several instance families', () => {
    const { stack } = clusterStack({ capacity: { onDemandBaseVcpus: 8, spotMaxVcpus: 96 } });
    const manifests = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const pools = Object.values(manifests).flatMap(r => JSON.parse(stack.resolve(r.Properties.Manifest)))
      .filter((m: any) => m.kind === 'NodePool');
    const byName = Object.fromEntries(pools.map((p: any) => [p.metadata.name, p.spec]));
    const req = (spec: any, key: string) => spec.template.spec.requirements.find((r: any) => r.key === key).values;
    expect(byName['on-demand-base'].weight).toBeGreaterThan(byName['spot-burst'].weight);
    expect(req(byName['on-demand-base'], 'karpenter.sh/capacity-type')).toEqual(['on-demand']);
    expect(byName['on-demand-base'].limits).toEqual({ cpu: '8' });
    expect(req(byName['spot-burst'], 'karpenter.sh/capacity-type')).toEqual(['spot', 'on-demand']);
    expect(byName['spot-burst'].limits).toEqual({ cpu: '96' });
    expect(req(byName['spot-burst'], 'eks.amazonaws.com/instance-family').length).toBeGreaterThanOrEqual(2);
    for (const spec of Object.values(byName) as any[]) {
      expect(spec.template.spec.nodeClassRef).toEqual({ group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' });
      expect(spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
    }
  });

  test('bad input fails at synth with prop, value and fix', () => {
    expect(() => clusterStack({ publicEndpointCidrs: [] })).toThrow(/Test\/Cluster: invalid publicEndpointCidrs \(\[\]\).*list the CIDR blocks/);
    expect(() => clusterStack({ publicEndpointCidrs: ['my-office'] })).toThrow(/invalid publicEndpointCidrs \("my-office"\).*IPv4 CIDR/);
    expect(() => clusterStack({ kubernetesVersion: '1.33.2' })).toThrow(/invalid kubernetesVersion \("1.33.2"\).*major.minor/);
    expect(() => clusterStack({ capacity: { instanceFamilies: ['c6i'] } })).toThrow(/invalid capacity.instanceFamilies .*at least two/);
  });

  test('exposes the eks-v2 cluster', () => {
    const { cluster } = clusterStack();
    expect(cluster.cluster).toBeInstanceOf(eks.Cluster);
    expect(cluster.kubernetesVersion).toBe('1.33');
  });
});

describe('the chart ships with the package', () => {
  test('package.json files include the chart, which lives under the package root', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(pkg.files).toContain('lib/kubernetes/charts/**');
    expect(fs.existsSync(`${webTierChartDir()}/Chart.yaml`)).toBe(true);
    expect(webTierChartDir()).toMatch(/lib\/kubernetes\/charts\/web-tier$/);
  });
});
