/**
 * The README's examples are complete programs a newcomer pastes into a CDK app: this compiles each
 * TypeScript block that imports 'cdk-web-tiers' (type-checked with the compiler options of
 * `cdk init app --language typescript`), runs it, and asserts on what it synthesized. A README
 * edit that breaks an example breaks this test. Stacks inside a Stage are read from its nested assembly, by display name
 * (`Development/Shop`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

const repo = path.join(__dirname, '..');

/** Every ```ts block of README.md that imports the package. */
function readmeExamples(): string[] {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf-8');
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]).filter((code) => code.includes("from 'cdk-web-tiers'"));
}

interface Synthesized {
  readonly templates: Record<string, { Resources: Record<string, { Type: string; Properties?: any }> }>;
}

/** Writes the example where it resolves this repository's packages, with 'cdk-web-tiers' pointing at lib/. */
function writeExample(code: string, name: string): string {
  const dir = path.join(repo, 'build', 'readme-examples');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(file, code.replace("from 'cdk-web-tiers'", `from ${JSON.stringify(path.join(repo, 'lib'))}`));
  return file;
}

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, lib: ['lib.es2022.d.ts'], strict: true,
    noImplicitReturns: true, noFallthroughCasesInSwitch: true, esModuleInterop: true, skipLibCheck: true,
    types: ['node'], noEmit: true, typeRoots: [path.join(repo, 'node_modules', '@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** The templates of a cloud assembly by stack display name, nested stage assemblies included ('Development/Shop'). */
function readAssembly(dir: string, templates: Synthesized['templates']): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      templates[artifact.displayName ?? id] = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
    } else if (artifact.type === 'cdk:cloud-assembly') {
      readAssembly(path.join(dir, artifact.properties.directoryName), templates);
    }
  }
}

function run(file: string): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-readme-'));
  try {
    execFileSync(process.execPath, [path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file],
      { env: { ...process.env, CDK_OUTDIR: outdir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const templates: Synthesized['templates'] = {};
    readAssembly(outdir, templates);
    return { templates };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function ofType(template: Synthesized['templates'][string], type: string) {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

const examples = readmeExamples();

test('README.md has the six complete examples', () => {
  expect(examples).toHaveLength(6);
  for (const code of examples) {
    expect(code).toMatch(/^import \{ App\b[^}]*\} from 'aws-cdk-lib';/);
    expect(code).toMatch(/\bregion: '[a-z0-9-]+'/);
    expect(code).toMatch(/^app\.synth\(\);$/m);
  }
});

test('the first example (Kwizly) type-checks and synthesizes a web tier, uploads, a lock, a database and a worker', () => {
  const file = writeExample(examples[0], 'first');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates)).toEqual(['Kwizly']);
  const t = templates.Kwizly;
  expect(ofType(t, 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(2);
  expect(ofType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(1);
  expect(ofType(t, 'AWS::EFS::FileSystem')).toHaveLength(1);
  expect(ofType(t, 'AWS::ElastiCache::ReplicationGroup')).toHaveLength(1);
  expect(ofType(t, 'AWS::RDS::DBInstance')).toHaveLength(1);
  const https = ofType(t, 'AWS::ElasticLoadBalancingV2::Listener').find((l) => l.Properties.Port === 443);
  expect(https?.Properties.Certificates).toEqual([{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555' }]);
});

test('the second example (Karma Labs) type-checks and synthesizes one load balancer with a host rule for the API', () => {
  const file = writeExample(examples[1], 'second');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates)).toEqual(['KarmaLabs']);
  const t = templates.KarmaLabs;
  expect(ofType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(1);
  expect(ofType(t, 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(3);
  const rules = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
  expect(rules).toHaveLength(1);
  expect(rules[0].Properties).toMatchObject({
    Priority: 10,
    Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.karmalabs.example'] } }],
  });
  const brainIngress = ofType(t, 'AWS::EC2::SecurityGroupIngress').filter((r) => r.Properties.FromPort === 9000);
  expect(brainIngress).toHaveLength(1);
});

test('the stack-wide key example type-checks and synthesizes a stack with one KMS key', () => {
  const file = writeExample(examples[2], 'third');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates)).toEqual(['OneKey']);
  expect(ofType(templates.OneKey, 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(2);
  expect(ofType(templates.OneKey, 'AWS::KMS::Key')).toHaveLength(1);
});

/** What an environment profile decides, as the README's profile table says. */
function profileFacts(t: Synthesized['templates'][string]) {
  const group = ofType(t, 'AWS::AutoScaling::AutoScalingGroup')[0].Properties;
  const lb = ofType(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0].Properties;
  const tierLogs = Object.entries(t.Resources).find(([id, r]) => r.Type === 'AWS::Logs::LogGroup' && id.startsWith('WebFleetLogs'))![1];
  return {
    natGateways: ofType(t, 'AWS::EC2::NatGateway').length,
    web: { min: group.MinSize, max: group.MaxSize },
    loadBalancerDeletionProtection: lb.LoadBalancerAttributes.find((a: any) => a.Key === 'deletion_protection.enabled').Value,
    lockNodes: ofType(t, 'AWS::ElastiCache::ReplicationGroup')[0].Properties.NumCacheClusters,
    uploadBackups: ofType(t, 'AWS::EFS::FileSystem')[0].Properties.BackupPolicy?.Status ?? 'none',
    tierLogRetention: tierLogs.Properties.RetentionInDays,
  };
}

test('the environment profile example synthesizes three stages that differ as the profile table says', () => {
  const file = writeExample(examples[3], 'profiles');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates).sort()).toEqual(['Development/Shop', 'Production/Shop', 'Staging/Shop']);
  expect(profileFacts(templates['Development/Shop'])).toEqual({
    natGateways: 1, web: { min: '1', max: '2' }, loadBalancerDeletionProtection: 'false', lockNodes: 1, uploadBackups: 'none', tierLogRetention: 30,
  });
  expect(profileFacts(templates['Staging/Shop'])).toEqual({
    natGateways: 2, web: { min: '2', max: '20' }, loadBalancerDeletionProtection: 'false', lockNodes: 2, uploadBackups: 'none', tierLogRetention: 90,
  });
  expect(profileFacts(templates['Production/Shop'])).toEqual({
    natGateways: 2, web: { min: '2', max: '20' }, loadBalancerDeletionProtection: 'true', lockNodes: 2, uploadBackups: 'ENABLED', tierLogRetention: 365,
  });
  const emails = (stack: string) => ofType(templates[stack], 'AWS::SNS::Subscription').map((r) => r.Properties.Endpoint);
  expect(emails('Production/Shop')).toEqual(['oncall@example.com']);
  expect(emails('Development/Shop')).toEqual([]);
});

test('the delivery pipeline example synthesizes a pipeline that deploys development, staging (load-tested) and production (approved)', () => {
  const file = writeExample(examples[4], 'pipeline');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates).sort()).toEqual(['Development/Shop', 'Production/Shop', 'ShopDelivery', 'Staging/Shop']);
  const pipeline = ofType(templates.ShopDelivery, 'AWS::CodePipeline::Pipeline');
  expect(pipeline).toHaveLength(1);
  const stages: { Name: string; Actions: { Name: string }[] }[] = pipeline[0].Properties.Stages;
  const actions = (name: string) => stages.find((s) => s.Name === name)!.Actions.map((a) => a.Name);
  expect(stages.map((s) => s.Name).filter((n) => ['Development', 'Staging', 'Production'].includes(n))).toEqual(['Development', 'Staging', 'Production']);
  expect(actions('Development')).toContain('Gates-Development');
  expect(actions('Development').some((a) => a.startsWith('Approve') || a.startsWith('LoadTest'))).toBe(false);
  expect(actions('Staging').filter((a) => a.startsWith('LoadTest-Staging'))).toHaveLength(2);
  expect(actions('Production')).toEqual(expect.arrayContaining(['Approve-Production', 'Gates-Production']));
});

test('the Kubernetes example synthesizes a cluster, the chart and a database the pods may reach', () => {
  const file = writeExample(examples[5], 'kubernetes');
  expect(typeErrors(file)).toEqual([]);
  const { templates } = run(file);
  expect(Object.keys(templates)).toEqual(['Events']);
  const t = templates.Events;
  expect(ofType(t, 'AWS::EKS::Cluster')).toHaveLength(1);
  // The library's chart comes as an asset (KEDA's, for requestsPerSecondPerPod, from its chart repository).
  const charts = ofType(t, 'Custom::AWSCDK-EKS-HelmChart').filter((r) => r.Properties.ChartAssetURL !== undefined);
  expect(charts).toHaveLength(1);
  expect(JSON.stringify(charts[0].Properties.Values)).toContain('DATABASE_SECRET_FILE');
  expect(ofType(t, 'AWS::RDS::DBInstance')).toHaveLength(1);
  const cluster = Object.entries(t.Resources).find(([, r]) => r.Type === 'AWS::EKS::Cluster')![0];
  const toDatabase = ofType(t, 'AWS::EC2::SecurityGroupIngress').filter((r) => r.Properties.FromPort === 5432);
  expect(toDatabase.map((r) => r.Properties.SourceSecurityGroupId)).toEqual([{ 'Fn::GetAtt': [cluster, 'ClusterSecurityGroupId'] }]);
  expect(ofType(t, 'AWS::EKS::PodIdentityAssociation').length).toBeGreaterThanOrEqual(1);
  const rules = ofType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
  expect(rules.map((r) => r.Properties.Conditions)).toEqual([[{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }]]);
});
