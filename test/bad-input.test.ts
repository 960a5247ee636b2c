/**
 * Every invalid prop combination fails in the constructor (at synth, before any deploy), with a
 * TierValidationError whose message names the prop and the bad value.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Stack } from 'aws-cdk-lib';
import { ErrorCode, TierValidationError } from '../lib/common/validation';
import {
  AppSource, SingletonWorker, SingletonWorkerProps, StatelessWebTier, StatelessWebTierProps, TierLoadBalancer, TierNetwork,
  TierNetworkProps,
} from '../lib';
import { newStack, testCertificate, testImage, testSource, testVpc } from './helpers';

type Build = (stack: Stack) => void;

/** A web tier with a certificate, in a fresh two-AZ VPC, with some props overridden. */
const web = (props: Partial<StatelessWebTierProps> = {}): Build => (stack) => {
  new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), ...props });
};

/** A singleton worker in a fresh two-AZ VPC, with some props overridden. */
const worker = (props: Partial<SingletonWorkerProps> = {}): Build => (stack) => {
  new SingletonWorker(stack, 'Worker', { vpc: testVpc(stack), source: testSource(), healthCommand: 'true', ...props });
};

const network = (props: TierNetworkProps): Build => (stack) => {
  new TierNetwork(stack, 'Network', props);
};

/** Two tiers on one shared load balancer; the second gets `second`. */
const shared = (second: Partial<StatelessWebTierProps>, first: Partial<StatelessWebTierProps> = {}): Build => (stack) => {
  const vpc = testVpc(stack);
  const loadBalancer = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
  new StatelessWebTier(stack, 'First', { vpc, source: testSource(), loadBalancer, ...first });
  new StatelessWebTier(stack, 'Second', { vpc, source: testSource(), loadBalancer, ...second });
};

const cron = autoscaling.Schedule.cron({ hour: '8', minute: '0' });

const cases: Array<[string, Build, RegExp]> = [
  // Capacity
  ['capacity min > max', web({ capacity: { min: 5, max: 3 } }), /Test\/Web: invalid capacity\.min \(5\)\. It is greater than capacity\.max \(3\)/],
  ['capacity desired below min', web({ capacity: { min: 2, max: 4, desired: 1 } }), /invalid capacity\.desired \(1\)\. It must lie between capacity\.min \(2\) and capacity\.max \(4\)/],
  ['capacity desired above max', web({ capacity: { min: 2, max: 4, desired: 5 } }), /invalid capacity\.desired \(5\)/],
  ['capacity min not a whole number', web({ capacity: { min: 1.5 } }), /invalid capacity\.min \(1\.5\)\. Use a whole number/],
  ['capacity max 0', web({ capacity: { min: 0, max: 0 } }), /invalid capacity\.max \(0\)/],
  // Scaling
  ['CPU target 0', web({ scaling: { targetCpuPercent: 0 } }), /invalid scaling\.targetCpuPercent \(0\)/],
  ['CPU target -5', web({ scaling: { targetCpuPercent: -5 } }), /invalid scaling\.targetCpuPercent \(-5\)/],
  ['CPU target 150', web({ scaling: { targetCpuPercent: 150 } }), /invalid scaling\.targetCpuPercent \(150\)/],
  ['requests per target 0', web({ scaling: { requestsPerTargetPerMinute: 0 } }), /invalid scaling\.requestsPerTargetPerMinute \(0\)/],
  ['scheduled action with no capacity', web({ scaling: { scheduled: [{ name: 'Empty', schedule: cron }] } }), /invalid scaling\.scheduled\[Empty\] \("no capacity"\)\. Set at least one of min, max or desired/],
  ['scheduled action min > max', web({ scaling: { scheduled: [{ name: 'Peak', schedule: cron, min: 6, max: 4 }] } }), /invalid scaling\.scheduled\[Peak\]\.min \(6\)\. It is greater than max \(4\)/],
  ['two scheduled actions with one name', web({ scaling: { scheduled: [{ name: 'Peak', schedule: cron, min: 2 }, { name: 'Peak', schedule: cron, min: 3 }] } }), /invalid scaling\.scheduled\[\]\.name \("Peak"\)/],
  // Health check
  ["health-check path 'healthz'", web({ healthCheck: { path: 'healthz' } }), /invalid healthCheck\.path \("healthz"\)\. It must start with '\/': use '\/healthz'/],
  ['health-check timeout = interval', web({ healthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(10) } }), /invalid healthCheck\.timeout \("10s"\)\. It must be shorter than healthCheck\.interval \(10s\)/],
  ['health-check timeout > interval', web({ healthCheck: { interval: Duration.seconds(10), timeout: Duration.seconds(20) } }), /invalid healthCheck\.timeout \("20s"\)/],
  ['healthy threshold 1', web({ healthCheck: { healthyThreshold: 1 } }), /invalid healthCheck\.healthyThreshold \(1\)\. Use a whole number between 2 and 10/],
  ['unhealthy threshold 11', web({ healthCheck: { unhealthyThreshold: 11 } }), /invalid healthCheck\.unhealthyThreshold \(11\)/],
  ['health-check interval 3 s', web({ healthCheck: { interval: Duration.seconds(3), timeout: Duration.seconds(2) } }), /invalid healthCheck\.interval \(seconds\) \(3\)/],
  ['health-check port 0', web({ healthCheck: { port: 0 } }), /invalid healthCheck\.port \(0\)/],
  ["healthy codes 'ok'", web({ healthCheck: { healthyHttpCodes: 'ok' } }), /invalid healthCheck\.healthyHttpCodes \("ok"\)/],
  // Ports
  ['appPort 70000', web({ appPort: 70000 }), /Test\/Web: invalid appPort \(70000\)\. Use a whole number between 1 and 65535/],
  ['appPort 0', web({ appPort: 0 }), /invalid appPort \(0\)/],
  // Load balancer
  ['HTTPS without a certificate', web({ certificate: undefined }), /Test\/Web\/LoadBalancer: invalid certificate \(not set\)\. An HTTPS load balancer needs an ACM certificate/],
  ['protocol HTTP with a certificate', web({ protocol: elbv2.ApplicationProtocol.HTTP }), /invalid protocol \("HTTP"\)\. A certificate was given but the protocol is HTTP/],
  ['routing without a shared loadBalancer', web({ routing: { hostHeaders: ['api.example.com'], priority: 5 } }), /Test\/Web: invalid routing \("priority 5"\)\. Routing rules apply only to a shared load balancer/],
  ['routing with neither hostHeaders nor pathPatterns', shared({ routing: { priority: 5 } }), /Test\/Second: invalid routing \("no hostHeaders and no pathPatterns"\)/],
  ['routing with empty lists', shared({ routing: { hostHeaders: [], pathPatterns: [], priority: 5 } }), /invalid routing \("no hostHeaders and no pathPatterns"\)/],
  ['routing priority 0', shared({ routing: { hostHeaders: ['a.example.com'], priority: 0 } }), /invalid routing\.priority \(0\)/],
  ['certificate together with a shared loadBalancer', (stack) => {
    const vpc = testVpc(stack);
    const loadBalancer = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
    new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), loadBalancer, certificate: testCertificate(stack, 'Other') });
  }, /Test\/Web: invalid certificate \("a certificate"\)\. It configures the tier's own load balancer, but loadBalancer \(Test\/Lb\) is shared/],
  ['internetFacing together with a shared loadBalancer', shared({ internetFacing: false }), /Test\/Second: invalid internetFacing \(false\)/],
  ['two default tiers on one TierLoadBalancer', shared({}), /Test\/Second: invalid routing \(not set\)\. Test\/First already receives the requests that match no rule of Test\/Lb/],
  ['environment-agnostic stack for a TierLoadBalancer', (stack) => {
    const agnostic = new Stack(stack.node.root, 'Agnostic');
    new TierLoadBalancer(agnostic, 'Lb', { vpc: testVpc(agnostic), certificate: testCertificate(agnostic) });
  }, /Agnostic\/Lb: invalid env\.region of the stack \("unresolved \(environment-agnostic stack\)"\)/],
  ['access log retention 0 days', (stack) => {
    new TierLoadBalancer(stack, 'Lb', { vpc: testVpc(stack), certificate: testCertificate(stack), accessLogsRetention: Duration.days(0) });
  }, /invalid accessLogsRetention \(days\) \(0\)/],
  // Instances and subnets
  ['ARM instance type with an x86 image', web({
    instanceType: new ec2.InstanceType('t4g.small'),
    source: AppSource.fromMachineImage(testImage(), { architecture: ec2.InstanceArchitecture.X86_64 }),
  }), /invalid instanceType \("t4g\.small"\)\. It is an arm64 instance type but the source image is built for x86_64/],
  ['a VPC with only public subnets', (stack) => {
    const vpc = new ec2.Vpc(stack, 'PublicOnly', { maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });
    new SingletonWorker(stack, 'Worker', { vpc, source: testSource(), healthCommand: 'true' });
  }, /Test\/Worker: invalid vpc \("Test\/PublicOnly"\)\. It has no private subnets with egress/],
  ['a VPC with private subnets in a single AZ', (stack) => {
    const vpc = new ec2.Vpc(stack, 'V', { maxAzs: 1 });
    new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
  }, /Test\/Web: invalid vpc \("1 subnet\(s\) in 1 Availability Zone\(s\)"\)\. A tier needs private subnets in at least two Availability Zones/],
  ['deployment.timeout 10 s', web({ deployment: { timeout: Duration.seconds(10) } }), /invalid deployment\.timeout \("10 seconds"\)\. CloudFormation waits at most 60 minutes for an instance signal, and the boot keeps 5 minutes of it/],
  // A 5-minute timeout would leave the boot no readiness deadline beside the launch and the FAILURE signal.
  ['deployment.timeout 5 min', web({ deployment: { timeout: Duration.minutes(5) } }), /invalid deployment\.timeout \("5 minutes"\)\. .*use Duration\.minutes\(6\) to Duration\.minutes\(60\)/],
  ['deployment.timeout 2 h', worker({ deployment: { timeout: Duration.hours(2) } }), /invalid deployment\.timeout \("2 hours"\)/],
  ['deployment.maxBatchSize 0', web({ deployment: { maxBatchSize: 0 } }), /invalid deployment\.maxBatchSize \(0\)/],
  // SingletonWorker
  ['SingletonWorker capacity { max: 2 }', worker({ capacity: { max: 2 } }), /Test\/Worker: invalid capacity\.max \(2\)\. A SingletonWorker runs exactly one instance/],
  ['SingletonWorker capacity { min: 2 }', worker({ capacity: { min: 2 } }), /Test\/Worker: invalid capacity\.min \(2\)\. A SingletonWorker runs exactly one instance/],
  ['SingletonWorker capacity { desired: 0 }', worker({ capacity: { desired: 0 } }), /invalid capacity\.desired \(0\)/],
  ['empty SingletonWorker healthCommand', worker({ healthCommand: '' }), /Test\/Worker: invalid healthCommand \(""\)\. Give a command that exits 0/],
  ['blank SingletonWorker healthCommand', worker({ healthCommand: '   ' }), /invalid healthCommand \(" {3}"\)/],
  ['SingletonWorker health timeout = interval', worker({ healthCheck: { interval: Duration.seconds(30), timeout: Duration.seconds(30) } }), /invalid healthCheck\.timeout \("30 seconds"\)\. It must be shorter than healthCheck\.interval \(30 seconds\)/],
  ['SingletonWorker failureThreshold 0', worker({ healthCheck: { failureThreshold: 0 } }), /invalid healthCheck\.failureThreshold \(0\)/],
  // TierNetwork
  ['TierNetwork maxAzs 1', network({ maxAzs: 1 }), /Test\/Network: invalid maxAzs \(1\)\. Use 2 or 3/],
  ['TierNetwork maxAzs 4', network({ maxAzs: 4 }), /invalid maxAzs \(4\)/],
  ["TierNetwork cidr '10.0.0.0/8'", network({ cidr: '10.0.0.0/8' }), /invalid cidr \("10\.0\.0\.0\/8"\)\. Use an IPv4 block from \/16 to \/24/],
  ["TierNetwork cidr 'banana'", network({ cidr: 'banana' }), /invalid cidr \("banana"\)/],
  ["TierNetwork cidr '300.0.0.0/16'", network({ cidr: '300.0.0.0/16' }), /invalid cidr \("300\.0\.0\.0\/16"\)/],
  ['TierNetwork natGateways 0', network({ natGateways: 0 }), /Test\/Network: invalid natGateways \(0\)\. Use a whole number between 1 and 2/],
  ['TierNetwork natGateways above maxAzs', network({ natGateways: 3 }), /invalid natGateways \(3\)/],
];

/** The stable code of a sample of the cases (README.md lists what each means). */
const CODES: Record<string, ErrorCode> = {
  'capacity min > max': 'CWT118',
  'capacity desired below min': 'CWT119',
  'capacity desired above max': 'CWT119',
  'capacity min not a whole number': 'CWT115',
  'capacity max 0': 'CWT116',
  'CPU target 0': 'CWT233',
  'CPU target 150': 'CWT233',
  'requests per target 0': 'CWT234',
  'scheduled action with no capacity': 'CWT237',
  'scheduled action min > max': 'CWT238',
  'two scheduled actions with one name': 'CWT236',
  "health-check path 'healthz'": 'CWT222',
  'health-check timeout = interval': 'CWT229',
  'healthy threshold 1': 'CWT225',
  'unhealthy threshold 11': 'CWT226',
  'health-check interval 3 s': 'CWT227',
  'health-check port 0': 'CWT223',
  "healthy codes 'ok'": 'CWT224',
  'appPort 70000': 'CWT201',
  'HTTPS without a certificate': 'CWT205',
  'protocol HTTP with a certificate': 'CWT206',
  'routing without a shared loadBalancer': 'CWT232',
  'routing with neither hostHeaders nor pathPatterns': 'CWT216',
  'routing priority 0': 'CWT217',
  'certificate together with a shared loadBalancer': 'CWT231',
  'two default tiers on one TierLoadBalancer': 'CWT215',
  'environment-agnostic stack for a TierLoadBalancer': 'CWT210',
  'access log retention 0 days': 'CWT209',
  'ARM instance type with an x86 image': 'CWT114',
  'a VPC with only public subnets': 'CWT126',
  'a VPC with private subnets in a single AZ': 'CWT127',
  'deployment.timeout 10 s': 'CWT125',
  'deployment.maxBatchSize 0': 'CWT124',
  'SingletonWorker capacity { max: 2 }': 'CWT301',
  'empty SingletonWorker healthCommand': 'CWT302',
  'SingletonWorker health timeout = interval': 'CWT307',
  'SingletonWorker failureThreshold 0': 'CWT305',
  'TierNetwork maxAzs 1': 'CWT141',
  "TierNetwork cidr 'banana'": 'CWT143',
  'TierNetwork natGateways 0': 'CWT142',
};

describe('invalid props fail at synth with the prop and the value in the message', () => {
  test.each(cases)('%s', (_name, build, message) => {
    const stack = newStack();
    let error: unknown;
    try {
      build(stack);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TierValidationError);
    expect((error as Error).message).toMatch(message);
    const e = error as TierValidationError;
    expect(e.message).toMatch(/^\[CWT\d{3}\] /);
    expect(e.message).toContain(`${e.constructPath}: invalid ${e.prop} (${e.value}). ${e.fix}`);
    if (CODES[_name]) expect(e.code).toBe(CODES[_name]);
  });

  test('every sampled code names a case', () => {
    const names = new Set(cases.map(([name]) => name));
    expect(Object.keys(CODES).filter((name) => !names.has(name))).toEqual([]);
  });

  test('the valid baseline of every builder does not throw (so each case fails for its own reason)', () => {
    for (const build of [web(), worker(), network({}), shared({ routing: { hostHeaders: ['api.example.com'], priority: 1 } })]) {
      expect(() => build(newStack())).not.toThrow();
    }
  });
});
