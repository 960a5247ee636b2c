/**
 * No secret value, private key, password or auth token may appear in anything `cdk synth` writes:
 * templates (user data included), asset files, manifests. Secrets are referenced by ARN and read at
 * boot, or by CloudFormation dynamic reference.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SecretValue, Stack } from 'aws-cdk-lib';
import { buildExamplesApp } from '../bin/app';
import { AppSource, JobLock, StatelessWebTier, TierNetwork } from '../lib';
import { newStack, renderIntrinsic, testCertificate } from './helpers';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

const LEAK_PATTERNS: Array<[string, RegExp]> = [
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  // user:password@ with a real-looking password; upper-case placeholders such as :PASSWORD@ in help texts do not match.
  ['credentials in a URL', /\b(rediss?|postgres(ql)?|mysql|https?):\/\/[A-Za-z0-9._~%-]*:(?=[^@\s]*[a-z0-9])[A-Za-z0-9._~%!*+-]{6,}@/],
  ['a literal password property', /"(MasterUserPassword|Password|AuthToken|SecretString)"\s*:\s*"(?!\{\{resolve:)[^"]+"/],
];

describe('no secret leaks in the cloud assembly', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-leaks-'));
  const assembly = buildExamplesApp({ outdir }).synth();
  const files = filesUnder(assembly.directory);

  test('the assembly has templates and the joblock asset to scan', () => {
    expect(files.filter(f => f.endsWith('.template.json')).length).toBeGreaterThanOrEqual(2);
    // The joblock CLI: a one-file asset (asset.<hash>.js).
    expect(files.some(f => /asset\.[0-9a-f]{64}\.js$/.test(f))).toBe(true);
  });

  test.each(LEAK_PATTERNS)('no file contains %s', (_what, pattern) => {
    const offenders = files.filter(file => pattern.test(fs.readFileSync(file, 'utf-8')));
    expect(offenders).toEqual([]);
  });

  test('every secret reaches CloudFormation as a dynamic reference and instances as an ARN', () => {
    for (const file of files.filter(f => f.endsWith('.template.json'))) {
      const template = JSON.parse(fs.readFileSync(file, 'utf-8'));
      for (const [id, resource] of Object.entries<any>(template.Resources)) {
        if (resource.Type === 'AWS::ElastiCache::ReplicationGroup') {
          expect(JSON.stringify(resource.Properties.AuthToken)).toMatch(/^"?\{\{resolve:secretsmanager:|\{\{resolve:secretsmanager:/);
        }
        if (resource.Type === 'AWS::SecretsManager::Secret') {
          expect({ id, secretString: resource.Properties.SecretString }).toEqual({ id, secretString: undefined });
        }
        if (resource.Type === 'AWS::EC2::LaunchTemplate') {
          const userData = renderIntrinsic(resource.Properties.LaunchTemplateData.UserData);
          // Secrets are fetched at boot by ARN, and every step that reads one turns tracing off.
          const steps = userData.split(/^run_step /m).slice(1);
          for (const step of steps.filter(text => text.includes('get-secret-value'))) {
            expect(step).toMatch(/'(AUTH_SECRET_ARN|SECRET_ARN|DEPLOY_KEY_ARN)=(arn:)?TOKEN_/);
            expect(step).toContain('set +x');
          }
        }
      }
    }
  });
});

describe('a canary secret value never reaches the template', () => {
  // A user who passes secrets the right way (as secrets) must not see their values copied anywhere.
  const CANARY = 'canary-Zq8vX3pL0s9W';

  test('environment, deploy key and lock token stay references', () => {
    const stack: Stack = newStack();
    const network = new TierNetwork(stack, 'Network');
    const env = new secretsmanager.Secret(stack, 'Env', { secretStringValue: SecretValue.ssmSecure('/kwizly/env-canary') });
    const deployKey = secretsmanager.Secret.fromSecretNameV2(stack, 'Key', 'deploy-key');
    const web = new StatelessWebTier(stack, 'Web', {
      vpc: network.vpc,
      certificate: testCertificate(stack),
      environment: env,
      source: AppSource.fromGitRepository({ repository: 'git@github.com:acme/app.git', deployKey, startCommand: 'npm start' }),
    });
    const lock = new JobLock(stack, 'Lock', { vpc: network.vpc });
    web.addScheduledJob('job', { schedule: '0 * * * *', command: `echo ${'$'}JOBLOCK_FENCING_TOKEN`, jobLock: lock });
    const assembly = (stack.node.root as any).synth() as { directory: string };
    const text = filesUnder(assembly.directory).map(f => fs.readFileSync(f, 'utf-8')).join('\n');
    expect(text).not.toContain(CANARY);
    expect(text).toContain('{{resolve:ssm-secure:/kwizly/env-canary}}');
    for (const [, pattern] of LEAK_PATTERNS) expect(text).not.toMatch(pattern);
  });
});

describe('the leak patterns catch real leaks', () => {
  test.each([
    ['a PEM private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk='],
    ['an AWS access key id', 'aws_access_key_id = AKIAABCDEFGHIJKLMNOP'],
    ['credentials in a URL', 'JOBLOCK_REDIS_URL=rediss://:Zq8vX3pL0s9WabCd@master.cache.amazonaws.com:6379'],
    ['a literal password property', '"MasterUserPassword": "hunter2hunter2"'],
  ])('%s', (what, leaked) => {
    const pattern = LEAK_PATTERNS.find(([name]) => name === what)![1];
    expect(pattern.test(leaked)).toBe(true);
  });

  test('dynamic references and help-text placeholders are not leaks', () => {
    const clean = ['"AuthToken": "{{resolve:secretsmanager:arn:aws:secretsmanager:us-east-1:1:secret:x}}"', 'rediss://:PASSWORD@HOST:6379'];
    for (const text of clean) expect(LEAK_PATTERNS.some(([, p]) => p.test(text))).toBe(false);
  });
});
