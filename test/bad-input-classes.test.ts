/**
 * Classes of input that synthesize but that AWS or systemd reject later (at deploy, at boot, or by
 * never firing), each closed by a general check in lib/common/input-checks.ts. Every class has
 * failing cases and a valid neighbour that passes, so a check cannot be too broad unnoticed.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { ErrorCode, TierValidationError } from '../lib/common/validation';
import {
  JobLock, LockEngine, ScheduledJobOptions, SharedUploads, SingletonWorker, StatelessWebTier, StatelessWebTierProps, TierLoadBalancer,
  TierNetwork, WebTierRouting,
} from '../lib';
import { newStack, testCertificate, testSource, testVpc } from './helpers';

type Build = (stack: Stack) => void;

const web = (props: Partial<StatelessWebTierProps> = {}): Build => (stack) => {
  new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), ...props });
};
const cron = (options: autoscaling.CronOptions) => autoscaling.Schedule.cron(options);
const scheduled = (action: Partial<{ min: number; max: number; desired: number; timeZone: string; schedule: autoscaling.Schedule }>, capacity = { min: 2, max: 10 }) =>
  web({ capacity, scaling: { scheduled: [{ name: 'Peak', schedule: cron({ hour: '8', minute: '0' }), ...action }] } });

/** Two tiers on one shared load balancer with the given routing. */
const routed = (second: WebTierRouting, first: WebTierRouting = { hostHeaders: ['www.example.com'], priority: 1 }): Build => (stack) => {
  const vpc = testVpc(stack);
  const loadBalancer = new TierLoadBalancer(stack, 'Lb', { vpc, certificate: testCertificate(stack) });
  new StatelessWebTier(stack, 'First', { vpc, source: testSource(), loadBalancer, routing: first });
  new StatelessWebTier(stack, 'Second', { vpc, source: testSource(), loadBalancer, routing: second });
};

/** A worker with a scheduled job. */
const job = (options: Partial<ScheduledJobOptions>): Build => (stack) => {
  const vpc = testVpc(stack);
  const worker = new SingletonWorker(stack, 'Worker', { vpc, source: testSource(), healthCommand: 'true' });
  worker.addScheduledJob('report', { schedule: '0 8 * * *', command: 'true', jobLock: new JobLock(stack, 'Lock', { vpc }), ...options });
};

const lockWith = (engine: LockEngine): Build => (stack) => {
  new JobLock(stack, 'Lock', { vpc: testVpc(stack), engine });
};

/** Uploads (and a lock) in one VPC, the tier in `tierVpc`. */
const attach = (what: 'uploads' | 'lock', otherVpc: boolean): Build => (stack) => {
  const vpc = testVpc(stack);
  const tierVpc = otherVpc ? new TierNetwork(stack, 'Other', { cidr: '10.1.0.0/16' }).vpc : vpc;
  const worker = new SingletonWorker(stack, 'Worker', { vpc: tierVpc, source: testSource(), healthCommand: 'true' });
  if (what === 'uploads') new SharedUploads(stack, 'Uploads', { vpc }).mountOn(worker, '/var/app/uploads');
  else new JobLock(stack, 'Lock', { vpc }).allowFrom(worker);
};

const mounts = (first: string, second: string, sameFileSystem = false): Build => (stack) => {
  const vpc = testVpc(stack);
  const worker = new SingletonWorker(stack, 'Worker', { vpc, source: testSource(), healthCommand: 'true' });
  const a = new SharedUploads(stack, 'Uploads', { vpc });
  const b = sameFileSystem ? a : new SharedUploads(stack, 'Media', { vpc });
  a.mountOn(worker, first);
  b.mountOn(worker, second);
};

const certificate = (arn: string): Build => (stack) => {
  new TierLoadBalancer(stack, 'Lb', { vpc: testVpc(stack), certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', arn) });
};

const failing: Array<[string, Build, RegExp]> = [
  // Characters AWS or systemd reject
  ["time zone 'Europe/Pariss' (scheduled job)", job({ timeZone: 'Europe/Pariss' }), /Test\/Worker: invalid addScheduledJob\(report\)\.timeZone \("Europe\/Pariss"\)\. It is not a time zone of the IANA tz database/],
  ["time zone 'Mars/Olympus' (scheduled capacity)", scheduled({ min: 4, timeZone: 'Mars/Olympus' }), /Test\/Web: invalid scaling\.scheduled\[Peak\]\.timeZone \("Mars\/Olympus"\)/],
  ["time zone 'UTC+2' (scheduled capacity)", scheduled({ min: 4, timeZone: 'UTC+2' }), /invalid scaling\.scheduled\[Peak\]\.timeZone \("UTC\+2"\)/],
  ['host header with a scheme', routed({ hostHeaders: ['https://api.example.com'], priority: 2 }), /Test\/Second: invalid routing\.hostHeaders\[\] \("https:\/\/api\.example\.com"\)\. A host header condition is a host name/],
  ['host header with a port', routed({ hostHeaders: ['api.example.com:443'], priority: 2 }), /invalid routing\.hostHeaders\[\] \("api\.example\.com:443"\)/],
  ['host header with a space', routed({ hostHeaders: ['api example.com'], priority: 2 }), /invalid routing\.hostHeaders\[\] \("api example\.com"\)/],
  ['host header of 129 characters', routed({ hostHeaders: [`${'a'.repeat(117)}.example.com`], priority: 2 }), /invalid routing\.hostHeaders\[\]/],
  ["path pattern without '/'", routed({ pathPatterns: ['api/*'], priority: 2 }), /Test\/Second: invalid routing\.pathPatterns\[\] \("api\/\*"\)\. A path pattern starts with '\/'/],
  ['path pattern with a query string', routed({ pathPatterns: ['/search?q=*'], priority: 2 }), /invalid routing\.pathPatterns\[\] \("\/search\?q=\*"\)/],
  ['path pattern with a space', routed({ pathPatterns: ['/my files/*'], priority: 2 }), /invalid routing\.pathPatterns\[\] \("\/my files\/\*"\)/],
  // Values outside what the group allows once a scheduled action runs
  ['scheduled min above capacity.max', scheduled({ min: 12 }), /Test\/Web: invalid scaling\.scheduled\[Peak\] \("min 12, max 10"\)\. With min 12 and capacity\.max \(10\) Auto Scaling rejects the action/],
  ['scheduled max below capacity.min', scheduled({ max: 1 }), /invalid scaling\.scheduled\[Peak\] \("min 2, max 1"\)/],
  ['scheduled desired above capacity.max', scheduled({ desired: 12 }), /Test\/Web: invalid scaling\.scheduled\[Peak\]\.desired \(12\)\. It must lie between the group's min \(2\) and max \(10\)/],
  ['scheduled desired below its own min', scheduled({ min: 6, desired: 4 }), /invalid scaling\.scheduled\[Peak\]\.desired \(4\)/],
  // Cross-resource conflicts
  ['two listener rules with one priority', routed({ hostHeaders: ['api.example.com'], priority: 1 }), /Test\/Second: invalid routing\.priority \(1\)\. Test\/First already uses priority 1 on Test\/Lb/],
  ['two file systems on one path', mounts('/var/app/uploads', '/var/app/uploads'), /Test\/Media: invalid path \("\/var\/app\/uploads"\)\. Test\/Uploads is already mounted on Test\/Worker at \/var\/app\/uploads/],
  ['a file system inside another one\'s mount', mounts('/var/app/uploads', '/var/app/uploads/media'), /Test\/Media: invalid path \("\/var\/app\/uploads\/media"\)/],
  ['a file system around another one\'s mount', mounts('/var/app/uploads/media', '/var/app/uploads'), /Test\/Media: invalid path \("\/var\/app\/uploads"\)/],
  ['a literal certificate ARN from another region', certificate('arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
    /Test\/Lb: invalid certificate \("arn:aws:acm:eu-west-1:.*"\)\. The certificate is in eu-west-1 but the stack deploys to us-east-1/],
  ['uploads mounted on a tier in another VPC', attach('uploads', true), /Test\/Uploads: invalid mountOn\(tier\) \("Test\/Worker"\)\. Test\/Worker runs in VPC Test\/Other\/Vpc but Test\/Uploads is in VPC/],
  ['a lock allowed from a tier in another VPC', attach('lock', true), /Test\/Lock: invalid allowFrom\(tier\) \("Test\/Worker"\)\. Test\/Worker runs in VPC Test\/Other\/Vpc/],
  ['a scheduled job whose lock is in another VPC', (stack) => {
    const worker = new SingletonWorker(stack, 'Worker', { vpc: testVpc(stack), source: testSource(), healthCommand: 'true' });
    const lock = new JobLock(stack, 'Lock', { vpc: new TierNetwork(stack, 'Other', { cidr: '10.1.0.0/16' }).vpc });
    worker.addScheduledJob('report', { schedule: '0 8 * * *', command: 'true', jobLock: lock });
  }, /Test\/Lock: invalid allowFrom\(tier\) \("Test\/Worker"\)/],
  // Schedules that never fire
  ["job schedule '0 0 31 2 *'", job({ schedule: '0 0 31 2 *' }), /Test\/Worker: invalid addScheduledJob\(report\)\.schedule \("0 0 31 2 \*"\)\. The schedule never fires: day 31 does not exist in month 2/],
  ["job schedule '0 0 30,31 feb *'", job({ schedule: '0 0 30,31 feb *' }), /never fires: day 30,31 does not exist in month feb/],
  ["job schedule '0 0 31 4,6,9,11 *'", job({ schedule: '0 0 31 4,6,9,11 *' }), /never fires/],
  ["scheduled capacity cron '0 8 31 2 *'", scheduled({ min: 4, schedule: cron({ minute: '0', hour: '8', day: '31', month: '2' }) }),
    /Test\/Web: invalid scaling\.scheduled\[Peak\]\.schedule \("0 8 31 2 \*"\)\. The schedule never fires: day 31 does not exist in month 2/],
  // Engines the lock cannot use
  ['a Memcached lock', lockWith(LockEngine.of('memcached', '1.6', 'memcached1.6')), /Test\/Lock: invalid engine \("memcached"\)\. The job lock needs a Redis-compatible engine/],
  ['Redis 5', lockWith(LockEngine.of('redis', '5.0.6', 'redis5.0')), /Test\/Lock: invalid engine\.version \("5\.0\.6"\)\. The job lock needs redis 6\.0 or later/],
  ['Valkey 7.0', lockWith(LockEngine.of('valkey', '7.0', 'valkey7')), /invalid engine\.version \("7\.0"\)\. The job lock needs valkey 7\.2 or later/],
  ['a parameter group family of another engine', lockWith(LockEngine.of('valkey', '8.0', 'redis7')), /invalid engine\.parameterGroupFamily \("redis7"\)\. It does not match valkey 8\.0: use 'valkey8'/],
  // Sizes of zero (and below what the image needs)
  ['root volume of 0 GiB', web({ rootVolumeSize: Size.gibibytes(0) }), /Test\/Web: invalid rootVolumeSize \(GiB\) \(0\)\. Use a whole number between 8 and 16384/],
  ['root volume of 4 GiB', web({ rootVolumeSize: Size.gibibytes(4) }), /invalid rootVolumeSize \(GiB\) \(4\)/],
  ['root volume of 512 MiB', web({ rootVolumeSize: Size.mebibytes(512) }), /invalid rootVolumeSize \(GiB\) \(0\.5\)/],
  ['root volume above 16 TiB', web({ rootVolumeSize: Size.tebibytes(17) }), /invalid rootVolumeSize \(GiB\) \(17408\)/],
  ['job lock ttl of 0', job({ ttl: Duration.seconds(0) }), /invalid addScheduledJob\(report\)\.ttl \(seconds\) \(0\)/],
  ['idle timeout of 0', (stack) => {
    new TierLoadBalancer(stack, 'Lb', { vpc: testVpc(stack), certificate: testCertificate(stack), idleTimeout: Duration.seconds(0) });
  }, /Test\/Lb: invalid idleTimeout \(seconds\) \(0\)/],
  ['rate limit of 0 requests', (stack) => {
    new TierLoadBalancer(stack, 'Lb', { vpc: testVpc(stack), certificate: testCertificate(stack), requestsPerIpPer5Minutes: 0 });
  }, /Test\/Lb: invalid requestsPerIpPer5Minutes \(0\)/],
];

const passing: Array<[string, Build]> = [
  ["time zones 'Europe/Paris', 'America/Argentina/Buenos_Aires' and 'UTC'", (stack) => {
    job({ timeZone: 'America/Argentina/Buenos_Aires' })(stack);
    scheduled({ min: 4, timeZone: 'Europe/Paris' })(new Stack(stack.node.root, 'Two', { env: { region: 'us-east-1' } }));
  }],
  ["host headers 'api.example.com' and '*.example.com', path patterns '/api/*' and '/v?/items'",
    routed({ hostHeaders: ['api.example.com', '*.example.com'], pathPatterns: ['/api/*', '/v?/items'], priority: 2 })],
  ['scheduled actions inside the group, or moving min and max together', (stack) => {
    new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), capacity: { min: 2, max: 10 },
      scaling: { scheduled: [
        { name: 'Peak', schedule: cron({ hour: '8', minute: '0' }), min: 12, max: 20, desired: 15 },
        { name: 'Night', schedule: cron({ hour: '22', minute: '0' }), desired: 2 },
        { name: 'Morning', schedule: cron({ hour: '6', minute: '0' }), min: 4 },
      ] },
    });
  }],
  ['two file systems on sibling paths, and one file system on two paths', (stack) => {
    mounts('/var/app/uploads', '/var/app/media')(stack);
    mounts('/srv/a', '/srv/b', true)(new Stack(stack.node.root, 'Two', { env: { region: 'us-east-1' } }));
  }],
  ['a certificate ARN in the stack\'s region', certificate('arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555')],
  ['uploads and a lock in the tier\'s VPC', (stack) => {
    attach('uploads', false)(stack);
    attach('lock', false)(new Stack(stack.node.root, 'Two', { env: { region: 'us-east-1' } }));
  }],
  ['the same VPC imported twice by id', (stack) => {
    const attrs = { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-east-1a', 'us-east-1b'], privateSubnetIds: ['subnet-1', 'subnet-2'], isolatedSubnetIds: ['subnet-3', 'subnet-4'] };
    const worker = new SingletonWorker(stack, 'Worker', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'A', attrs), source: testSource(), healthCommand: 'true' });
    new JobLock(stack, 'Lock', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'B', attrs) }).allowFrom(worker);
  }],
  ["schedules '0 0 29 2 *' (leap years), '0 0 31 1-12 *' and '0 0 31 2 1' (Mondays of February)", (stack) => {
    const vpc = testVpc(stack);
    const worker = new SingletonWorker(stack, 'Worker', { vpc, source: testSource(), healthCommand: 'true' });
    const jobLock = new JobLock(stack, 'Lock', { vpc });
    worker.addScheduledJob('leap', { schedule: '0 0 29 2 *', command: 'true', jobLock });
    worker.addScheduledJob('monthly', { schedule: '0 0 31 1-12 *', command: 'true', jobLock });
    expect(() => worker.addScheduledJob('both', { schedule: '0 0 31 2 1', command: 'true', jobLock })).toThrow(/not both/);
  }],
  ["lock engines Valkey 7.2, Valkey 8, Redis 6.2 ('redis6.x') and Redis 7", (stack) => {
    const vpc = testVpc(stack);
    new JobLock(stack, 'A', { vpc, engine: LockEngine.of('valkey', '7.2', 'valkey7') });
    new JobLock(stack, 'B', { vpc, engine: LockEngine.VALKEY_8 });
    new JobLock(stack, 'C', { vpc, engine: LockEngine.of('redis', '6.2', 'redis6.x') });
    new JobLock(stack, 'D', { vpc, engine: LockEngine.REDIS_7 });
  }],
  ['root volumes of 8 GiB and 16 TiB', (stack) => {
    web({ rootVolumeSize: Size.gibibytes(8) })(stack);
    web({ rootVolumeSize: Size.tebibytes(16) })(new Stack(stack.node.root, 'Two', { env: { region: 'us-east-1' } }));
  }],
];

/** The stable code of a sample of the failing cases. */
const CODES: Record<string, ErrorCode> = {
  "time zone 'Europe/Pariss' (scheduled job)": 'CWT103',
  "time zone 'UTC+2' (scheduled capacity)": 'CWT103',
  'host header with a scheme': 'CWT104',
  "path pattern without '/'": 'CWT105',
  'scheduled min above capacity.max': 'CWT239',
  'scheduled desired above capacity.max': 'CWT240',
  'two listener rules with one priority': 'CWT214',
  'two file systems on one path': 'CWT408',
  "a file system inside another one's mount": 'CWT408',
  'a literal certificate ARN from another region': 'CWT106',
  'uploads mounted on a tier in another VPC': 'CWT107',
  'a lock allowed from a tier in another VPC': 'CWT107',
  "job schedule '0 0 31 2 *'": 'CWT522',
  "scheduled capacity cron '0 8 31 2 *'": 'CWT241',
  'a Memcached lock': 'CWT506',
  'Redis 5': 'CWT507',
  'a parameter group family of another engine': 'CWT508',
  'root volume of 0 GiB': 'CWT122',
  'job lock ttl of 0': 'CWT513',
};

describe('classes of bad input fail at synth, not at deploy or boot', () => {
  test.each(failing)('%s', (_name, build, message) => {
    let error: unknown;
    try {
      build(newStack());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TierValidationError);
    expect((error as Error).message).toMatch(message);
    if (CODES[_name]) expect((error as TierValidationError).code).toBe(CODES[_name]);
  });

  test('every sampled code names a failing case', () => {
    const names = new Set(failing.map(([name]) => name));
    expect(Object.keys(CODES).filter((name) => !names.has(name))).toEqual([]);
  });

  test.each(passing)('valid: %s', (_name, build) => {
    expect(() => build(newStack())).not.toThrow();
  });
});
