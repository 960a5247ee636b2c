/**
 * TierNetwork: subnets, NAT gateways, flow logs, endpoints.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { TierNetwork } from '../lib';
import { logicalIdOf, newStack, newThreeAzStack, resource, resourcesOfType } from './helpers';

/** Subnets by their `aws-cdk:subnet-type` tag. */
function subnetsByType(template: Template): Record<string, Array<Record<string, any>>> {
  const result: Record<string, Array<Record<string, any>>> = {};
  for (const [, subnet] of resourcesOfType(template, 'AWS::EC2::Subnet')) {
    const type = subnet.Properties!.Tags.find((t: { Key: string }) => t.Key === 'aws-cdk:subnet-type').Value;
    (result[type] ??= []).push(subnet.Properties!);
  }
  return result;
}

describe('TierNetwork defaults (2 AZs)', () => {
  let stack: Stack;
  let network: TierNetwork;
  let template: Template;

  beforeAll(() => {
    stack = newStack();
    network = new TierNetwork(stack, 'Network');
    template = Template.fromStack(stack);
  });

  test('one VPC with public, private-with-egress and isolated subnets in two AZs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsHostnames: true, EnableDnsSupport: true });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    const byType = subnetsByType(template);
    expect(Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, v.length]))).toEqual({ Public: 2, Private: 2, Isolated: 2 });
    expect(network.vpc.publicSubnets).toHaveLength(2);
    expect(network.vpc.privateSubnets).toHaveLength(2);
    expect(network.vpc.isolatedSubnets).toHaveLength(2);
    expect(network.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets).toHaveLength(2);
  });

  test('public subnets do not give instances public IPs', () => {
    for (const subnet of subnetsByType(template).Public) {
      expect(subnet.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('one NAT gateway per AZ, and no warning', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('sharedNatGateway'));
  });

  test('flow logs of all traffic to a KMS-encrypted log group', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: logicalIdOf(network.vpc) },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: logicalIdOf(network.flowLogGroup) },
    });
    const logGroup = resource(template, logicalIdOf(network.flowLogGroup));
    expect(logGroup.Properties!.RetentionInDays).toBe(365);
    const keyId = logGroup.Properties!.KmsKeyId['Fn::GetAtt'][0];
    const key = resource(template, keyId);
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    expect(key.Properties!.KeyPolicy.Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Sid: 'CloudWatchLogGroups' })]));
  });

  test('an S3 gateway endpoint and no interface endpoints', () => {
    const endpoints = resourcesOfType(template, 'AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties!);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0].VpcEndpointType).toBe('Gateway');
    expect(JSON.stringify(endpoints[0].ServiceName)).toMatch(/\.s3"/);
    expect(endpoints[0].RouteTableIds).toHaveLength(6); // every subnet route table
  });
});

describe('TierNetwork options', () => {
  test('3 AZs: 9 subnets and 3 NAT gateways', () => {
    const stack = newThreeAzStack();
    const network = new TierNetwork(stack, 'Network', { maxAzs: 3 });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    expect(network.vpc.availabilityZones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(Object.values(subnetsByType(template)).map(s => s.length)).toEqual([3, 3, 3]);
  });

  test('natGateways: 1 gives one NAT gateway and a warning', () => {
    const stack = newStack();
    new TierNetwork(stack, 'Network', { natGateways: 1 });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 1);
    Annotations.fromStack(stack).hasWarning('/Test/Network', Match.stringLikeRegexp('cdk-web-tiers:sharedNatGateway'));
  });

  test('a custom CIDR sizes the subnets from its prefix', () => {
    const stack = newStack();
    new TierNetwork(stack, 'Network', { cidr: '172.16.0.0/20' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '172.16.0.0/20' });
    const byType = subnetsByType(template);
    expect(byType.Public.map(s => s.CidrBlock.split('/')[1])).toEqual(['24', '24']);
    expect(byType.Private.map(s => s.CidrBlock.split('/')[1])).toEqual(['23', '23']);
    expect(byType.Isolated.map(s => s.CidrBlock.split('/')[1])).toEqual(['24', '24']);
  });

  test('interfaceEndpoints: SSM, SSM messages, Secrets Manager, Logs and CloudFormation, with private DNS, in private subnets', () => {
    const stack = newStack();
    const network = new TierNetwork(stack, 'Network', { interfaceEndpoints: true });
    const template = Template.fromStack(stack);
    const interfaces = resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
      .map(([, e]) => e.Properties!)
      .filter(p => p.VpcEndpointType === 'Interface');
    expect(interfaces.map(p => p.ServiceName).sort()).toEqual([
      'com.amazonaws.us-east-1.cloudformation',
      'com.amazonaws.us-east-1.logs',
      'com.amazonaws.us-east-1.secretsmanager',
      'com.amazonaws.us-east-1.ssm',
      'com.amazonaws.us-east-1.ssmmessages',
    ]);
    for (const endpoint of interfaces) {
      expect(endpoint.PrivateDnsEnabled).toBe(true);
      expect(endpoint.SubnetIds).toEqual(network.vpc.privateSubnets.map(s => ({ Ref: logicalIdOf(s) })));
    }
  });
});
