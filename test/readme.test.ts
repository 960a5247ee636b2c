/**
 * The README's examples are complete programs a newcomer pastes into a CDK app: this compiles each
 * TypeScript block that imports 'cdk-web-tiers' (type-checked with the compiler options of
 * `cdk init app --language typescript`), runs it, and asserts on what it synthesized. A README
 * edit that breaks an example breaks this test.
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

function run(file: string): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-readme-'));
  try {
    execFileSync(process.execPath, [path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file],
      { env: { ...process.env, CDK_OUTDIR: outdir }, stdio: ['ignore', 'pipe', 'pipe'] });
    const templates: Synthesized['templates'] = {};
    for (const f of fs.readdirSync(outdir).filter((n) => n.endsWith('.template.json'))) {
      templates[f.replace('.template.json', '')] = JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf-8'));
    }
    return { templates };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function ofType(template: Synthesized['templates'][string], type: string) {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

const examples = readmeExamples();

test('README.md has the three complete examples', () => {
  expect(examples).toHaveLength(3);
  for (const code of examples) {
    expect(code).toMatch(/^import \{ App, Stack \} from 'aws-cdk-lib';/);
    expect(code).toMatch(/new Stack\(app, '\w+', \{ env: \{ region: '[a-z0-9-]+' \} \}\)/);
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
