/**
 * One error type with stable codes: every code in ERROR_CODES is thrown somewhere in lib/ and
 * every code thrown is registered; README.md lists them all; and a JavaScript or Python caller
 * that leaves out a required option or passes the wrong primitive type gets a TierValidationError
 * naming the construct path and the option, never a TypeError from inside the library.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { ERROR_CODES } from '../lib/common/error-codes';
import { TierValidationError } from '../lib/common/errors';
import {
  AccessLogQueries, AppSource, DeliveryPipeline, JobLock, JobLockAlarms, KubernetesTierAlarms, LockEngine, ScheduledJob, ScheduledJobAlarms,
  EnvironmentProfile, SharedUploads, SingletonWorker, StatelessWebTier, TierDashboard, TierErrors, TierLoadBalancer, TierLogQueries, TierNetwork,
  TierNotifications, UploadsAlarms, WebTierAlarms, WebTierSlo, WorkerAlarms,
} from '../lib';
import { errorCodesTable } from '../scripts/error-codes';
import { newStack, testSource, testVpc } from './helpers';

const repo = path.join(__dirname, '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The codes written as string literals in lib/ (outside the registry itself), with the files using them. */
function codesInLib(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of sources(path.join(repo, 'lib'))) {
    if (file.endsWith(path.join('common', 'error-codes.ts'))) continue;
    for (const m of fs.readFileSync(file, 'utf-8').matchAll(/'(CWT\d{3})'/g)) {
      used.set(m[1], [...(used.get(m[1]) ?? []), path.relative(repo, file)]);
    }
  }
  return used;
}

/** Runs `build` and returns what it threw. */
function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (e) {
    return e;
  }
  throw new Error('nothing was thrown');
}

describe('the registry of error codes', () => {
  test('codes are CWT and three digits, with a one-line description each', () => {
    for (const [code, description] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^CWT[1-9]\d{2}$/);
      expect(description.length).toBeGreaterThan(10);
      expect(description).not.toMatch(/\n/);
    }
  });

  test('every code in ERROR_CODES is thrown somewhere in lib/', () => {
    const used = codesInLib();
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  test('every code used in lib/ is in ERROR_CODES', () => {
    expect([...codesInLib().keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  test("README.md's Errors section lists every code with its description", () => {
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf-8');
    const section = /<!-- error-codes -->\n([\s\S]*?)<!-- \/error-codes -->/.exec(readme);
    expect(section).not.toBeNull();
    expect(section![1].trim()).toBe(errorCodesTable());
    for (const [code, description] of Object.entries(ERROR_CODES)) {
      expect(section![1]).toContain(`| ${code} | ${description.replace(/\|/g, '\\|')} |`);
    }
  });

  test('plain Errors in lib/ are only internal invariants and installation problems', () => {
    const allowed = [
      /bundling the joblock CLI needs esbuild/, // the package is installed without its dev tool
      /cannot find the package's runtime\/ folder/, // a broken installation
      /a fleet joins one target group/, // the tiers call useTargetGroup once
      /the fleet is not built yet/, // called by the tiers after they built it
      /the fleet has a Spot burst group already/, // the web tier adds its burst group once
      /is empty: the firewall would rate-limit/, // inside the generated k6 script (JavaScript k6 runs), not thrown here
      /runtime\/boot\/\$\{file\} does not exist/, // files of the package
    ];
    const plain: string[] = [];
    for (const file of sources(path.join(repo, 'lib'))) {
      for (const line of fs.readFileSync(file, 'utf-8').split('\n')) {
        if (/new Error\(/.test(line) && !allowed.some((re) => re.test(line))) plain.push(`${path.relative(repo, file)}: ${line.trim()}`);
      }
    }
    expect(plain).toEqual([]);
  });
});

describe('the error', () => {
  test('carries code, construct path, prop, value and fix, and its message keeps them in a fixed form', () => {
    const e = thrown(() => new TierNetwork(newStack(), 'Network', { maxAzs: 4 })) as TierValidationError;
    expect(e).toBeInstanceOf(TierValidationError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TierValidationError');
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop, value: e.value }).toEqual({ code: 'CWT141', constructPath: 'Test/Network', prop: 'maxAzs', value: '4' });
    expect(e.message).toBe(`[CWT141] Test/Network: invalid maxAzs (4). ${e.fix}`);
  });

  test('without a construct the path is empty and the message names the library', () => {
    const e = thrown(() => AppSource.fromGitRepository({ startCommand: 'npm start' } as any)) as TierValidationError;
    expect(e).toBeInstanceOf(TierValidationError);
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code: 'CWT101', constructPath: '', prop: 'AppSource.fromGitRepository(props).repository' });
    expect(e.message).toMatch(/^\[CWT101\] cdk-web-tiers: invalid AppSource\.fromGitRepository\(props\)\.repository \(not set\)\. It is required/);
  });

  test('TierErrors answers for every jsii language', () => {
    const e = thrown(() => new TierNetwork(newStack(), 'Network', { cidr: 'banana' }));
    expect(TierErrors.isTierValidationError(e)).toBe(true);
    expect(TierErrors.isTierValidationError(new Error('x'))).toBe(false);
    expect(TierErrors.codeOf(e)).toBe('CWT143');
    expect(TierErrors.codeOf(new Error('x'))).toBeUndefined();
    expect(TierErrors.describe('CWT143')).toBe(ERROR_CODES.CWT143);
    expect(TierErrors.describe('CWT000')).toBeUndefined();
    expect(TierErrors.codes()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

/** A constructor called as JavaScript would: any props at all. */
type Make = (scope: Construct, id: string, props?: any) => unknown;

interface ConstructCase {
  readonly make: Make;
  /** A value of the right kind for each required option (checked before any of them is used). */
  readonly required: Record<string, unknown>;
  /** Some top-level options of a primitive type, each with a value of a wrong type. */
  readonly wrong: Record<string, unknown>;
  /** True when props may be left out altogether (every option optional). */
  readonly propsOptional?: boolean;
}

const obj = {};
const CONSTRUCTS: Record<string, ConstructCase> = {
  TierNetwork: { make: (s, id, p) => new TierNetwork(s, id, p), required: {}, wrong: { maxAzs: '2', cidr: 10, interfaceEndpoints: 'yes' }, propsOptional: true },
  StatelessWebTier: { make: (s, id, p) => new StatelessWebTier(s, id, p), required: { vpc: obj, source: obj }, wrong: { appPort: '8080', internetFacing: 'no', fallbackInstanceTypes: 't3.small' } },
  SingletonWorker: { make: (s, id, p) => new SingletonWorker(s, id, p), required: { vpc: obj, source: obj, healthCommand: 'true' }, wrong: { healthCommand: 1, containerHost: 'yes' } },
  SharedUploads: { make: (s, id, p) => new SharedUploads(s, id, p), required: { vpc: obj }, wrong: { ownerUid: '1001', rootDirectory: 1, automaticBackups: 'no' } },
  JobLock: { make: (s, id, p) => new JobLock(s, id, p), required: { vpc: obj }, wrong: { port: '6379', multiAz: 'no', nodeType: 1 } },
  TierLoadBalancer: { make: (s, id, p) => new TierLoadBalancer(s, id, p), required: { vpc: obj }, wrong: { internetFacing: 'yes', requestsPerIpPer5Minutes: '2000' } },
  DeliveryPipeline: { make: (s, id, p) => new DeliveryPipeline(s, id, p), required: { repository: 'o/r', connectionArn: 'arn' }, wrong: { repository: 1, validate: 'yes', installCommands: 'npm ci' } },
  WebTierSlo: { make: (s, id, p) => new WebTierSlo(s, id, p), required: { objective: obj, targetGroup: obj }, wrong: { objective: 99.9 } },
  AccessLogQueries: { make: (s, id, p) => new AccessLogQueries(s, id, p), required: { logGroup: obj, folder: 'f' }, wrong: { folder: 1 } },
  TierLogQueries: { make: (s, id, p) => new TierLogQueries(s, id, p), required: { logGroup: obj, folder: 'f' }, wrong: { folder: true } },
  JobLockAlarms: { make: (s, id, p) => new JobLockAlarms(s, id, p), required: { replicationGroupId: 'g', nodes: 2 }, wrong: { nodes: '2', replicationGroupId: 1 } },
  KubernetesTierAlarms: {
    make: (s, id, p) => new KubernetesTierAlarms(s, id, p), required: { loadBalancerScope: obj, loadBalancer: obj, targetGroup: obj, minReplicas: 2 }, wrong: { minReplicas: '2' },
  },
  ScheduledJobAlarms: { make: (s, id, p) => new ScheduledJobAlarms(s, id, p), required: { tier: 't', job: 'j' }, wrong: { job: 1 } },
  UploadsAlarms: { make: (s, id, p) => new UploadsAlarms(s, id, p), required: { fileSystem: obj }, wrong: { fileSystem: 'fs-1' } },
  WebTierAlarms: {
    make: (s, id, p) => new WebTierAlarms(s, id, p),
    required: { loadBalancerScope: obj, loadBalancer: obj, targetGroup: obj, autoScalingGroup: obj, logGroup: obj, minCapacity: 2, maxCapacity: 4 },
    wrong: { minCapacity: '2', maxCapacity: null },
  },
  WorkerAlarms: { make: (s, id, p) => new WorkerAlarms(s, id, p), required: { autoScalingGroup: obj, logGroup: obj }, wrong: { logGroup: 'name' } },
  TierNotifications: { make: (s, id, p) => new TierNotifications(s, id, p), required: {}, wrong: { emails: 'oncall@example.com', routeAllAlarms: 'yes' }, propsOptional: true },
};

/** A wrong value that stands for "missing" (null) is reported as missing, the others as a wrong type. */
const expectedCode = (value: unknown) => (value === null ? 'CWT101' : 'CWT102');

describe('JavaScript and Python callers get the library\'s error, not a TypeError', () => {
  const missingProps = Object.entries(CONSTRUCTS).filter(([, c]) => !c.propsOptional);
  test.each(missingProps)('%s without props', (_name, c) => {
    const e = thrown(() => c.make(newStack(), 'X')) as TierValidationError;
    expect(e).toBeInstanceOf(TierValidationError);
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code: 'CWT101', constructPath: 'Test/X', prop: 'props' });
  });

  const missing = Object.entries(CONSTRUCTS).flatMap(([name, c]) => Object.keys(c.required).map((key) => [name, key, c] as const));
  test.each(missing)('%s without %s', (_name, key, c) => {
    const props = { ...c.required };
    delete props[key];
    const e = thrown(() => c.make(newStack(), 'X', props)) as TierValidationError;
    expect(e).toBeInstanceOf(TierValidationError);
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code: 'CWT101', constructPath: 'Test/X', prop: key });
    expect(e.message).toContain(`Test/X: invalid ${key} (not set).`);
  });

  const wrong = Object.entries(CONSTRUCTS).flatMap(([name, c]) => Object.entries(c.wrong).map(([key, value]) => [name, key, value, c] as const));
  test.each(wrong)('%s with %s = %p', (_name, key, value, c) => {
    const e = thrown(() => c.make(newStack(), 'X', { ...c.required, [key]: value })) as TierValidationError;
    expect(e).toBeInstanceOf(TierValidationError);
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code: expectedCode(value), constructPath: 'Test/X', prop: key });
  });

  test('an optional option set to null counts as not set (as `??` defaults read it)', () => {
    expect(() => new TierNetwork(newStack(), 'Network', { maxAzs: null } as any)).not.toThrow();
  });

  test('addScheduledJob without jobLock names the option (it used to read a property of undefined)', () => {
    const stack = newStack();
    const worker = new SingletonWorker(stack, 'Worker', { vpc: testVpc(stack), source: testSource(), healthCommand: 'true' });
    const e = thrown(() => worker.addScheduledJob('nightly', { schedule: '0 8 * * *', command: 'true' } as any)) as TierValidationError;
    expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code: 'CWT140', constructPath: 'Test/Worker', prop: 'addScheduledJob(nightly).jobLock' });
    const noOptions = thrown(() => (worker as any).addScheduledJob('nightly')) as TierValidationError;
    expect({ code: noOptions.code, prop: noOptions.prop }).toEqual({ code: 'CWT101', prop: 'addScheduledJob.options' });
  });

  test('methods and static factories check their arguments', () => {
    const stack = newStack();
    const vpc = testVpc(stack);
    const worker = new SingletonWorker(stack, 'Worker', { vpc, source: testSource(), healthCommand: 'true' });
    const uploads = new SharedUploads(stack, 'Uploads', { vpc });
    const lock = new JobLock(stack, 'Lock', { vpc });
    const cases: Array<[() => unknown, string, string, string]> = [
      [() => (uploads as any).mountOn(worker), 'CWT101', 'Test/Uploads', 'mountOn.path'],
      [() => (uploads as any).mountOn(undefined, '/var/app/uploads'), 'CWT101', 'Test/Uploads', 'mountOn.tier'],
      [() => (lock as any).allowFrom(), 'CWT101', 'Test/Lock', 'allowFrom.tier'],
      [() => new ScheduledJob(worker, 'report', { schedule: 8, command: 'true', jobLock: lock } as any), 'CWT102', 'Test/Worker', 'addScheduledJob(report).schedule'],
      [() => new ScheduledJob(worker, 'report', { schedule: '0 8 * * *', jobLock: lock } as any), 'CWT101', 'Test/Worker', 'addScheduledJob(report).command'],
      [() => (worker as any).addBootStep({ name: 'x', script: 'true' }), 'CWT101', 'Test/Worker', 'addBootStep(step).phase'],
      [() => (AppSource as any).fromMachineImage(), 'CWT101', '', 'AppSource.fromMachineImage.image'],
      [() => AppSource.fromGitRepository({ repository: 'https://example.com/a.git', startCommand: 'npm start', buildCommands: 'npm ci' } as any),
        'CWT102', '', 'AppSource.fromGitRepository(props).buildCommands'],
      [() => (LockEngine as any).of('valkey', 8, 'valkey8'), 'CWT102', '', 'LockEngine.of.version'],
      [() => EnvironmentProfile.custom({ name: 'qa', webMinCapacity: '2' } as any), 'CWT102', '', 'EnvironmentProfile.custom(props).webMinCapacity'],
      [() => (EnvironmentProfile as any).named(), 'CWT101', '', 'EnvironmentProfile.named.name'],
      [() => (TierDashboard.of(stack) as any).addSection('Jobs'), 'CWT101', 'Test/Dashboard', 'addSection.widgets'],
    ];
    for (const [call, code, constructPath, prop] of cases) {
      const e = thrown(call) as TierValidationError;
      expect(e).toBeInstanceOf(TierValidationError);
      expect({ code: e.code, constructPath: e.constructPath, prop: e.prop }).toEqual({ code, constructPath, prop });
    }
  });
});
