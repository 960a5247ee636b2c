/**
 * `cdk-web-tiers validate <cdk.out>` on apps with stages and on the delivery pipeline's assembly
 * (issue 17, item 6): stage stacks are read from their nested assemblies, one row per stack named
 * by its path; a scratch stack name that CloudFormation accepts is given to each; a gate with
 * nothing to check says so and fails (exit 2, the README's "could not run").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { validateCommand } from '../../cli/commands/validate';
import { runCdkNag } from '../../scripts/validate/cdk-nag';
import { assemblyStackNames, loadCloudAssembly, scratchStackName } from '../../scripts/validate/cloud-assembly';
import { runDeployRules } from '../../scripts/validate/deploy-rules';
import { templateAcks } from '../../scripts/validate/assembly';
import { KwizlyDeliveryStack } from '../../examples/kwizly-delivery';

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe('a Stage app', () => {
  const outdir = tmp('stage-app-');
  const app = new App({ outdir });
  const dev = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  new sns.Topic(new Stack(dev, 'Marathon'), 'Topic', { enforceSSL: true });
  new sns.Topic(new Stack(app, 'Top'), 'Topic');
  app.synth();

  test('every stack, stages included, is one row named by its path', () => {
    expect(assemblyStackNames(outdir).sort()).toEqual(['Dev/Marathon', 'Top']);
  });

  test('the scratch app for cdk-nag accepts the stage stack (it threw "Stack name must match the regular expression ... got \'Dev.Marathon\'")', () => {
    const loaded = loadCloudAssembly(outdir, tmp('scratch-'));
    expect(loaded.stacks.map((s) => s.name).sort()).toEqual(['Dev/Marathon', 'Top']);
    expect(loaded.stacks.find((s) => s.name === 'Dev/Marathon')!.environment).toBe('aws://111111111111/eu-west-1');
    const nag = runCdkNag(loaded.app, loaded.nagStacks);
    // AwsSolutions-SNS3 (SSL not enforced) on the top-level topic only: the stage's topic enforces it.
    const sns3 = nag.find((r) => r.validator === 'AwsSolutions')!.findings.filter((f) => f.rule === 'AwsSolutions-SNS3');
    expect(sns3.map((f) => f.stack)).toEqual(['Top']);
  });

  test('scratch stack names are valid CloudFormation stack names', () => {
    for (const id of ['Dev.Marathon', 'Staging.Kwizly_', '1st.Stack', '...']) {
      expect(scratchStackName(id)).toMatch(/^[A-Za-z][A-Za-z0-9-]{0,127}$/);
    }
  });
});

describe('the delivery pipeline\'s assembly (bin/pipeline.ts)', () => {
  const outdir = tmp('pipeline-app-');
  const app = new App({ outdir });
  new KwizlyDeliveryStack(app, 'KwizlyDelivery', { env: { region: 'us-east-1' } });
  app.synth();

  test('the pipeline stack and each stage\'s stack, by path', () => {
    expect(assemblyStackNames(outdir).sort()).toEqual(['Development/Kwizly', 'KwizlyDelivery', 'Production/Kwizly', 'Staging/Kwizly']);
  });

  test('each stage assembly is what the Gates step passes to validate, and it has the stage\'s stack', () => {
    for (const stage of ['Development', 'Staging', 'Production']) {
      expect(assemblyStackNames(path.join(outdir, `assembly-${stage}`))).toEqual([`${stage}/Kwizly`]);
    }
  });

  test('the deploy-rules pack finds nothing unacknowledged in the stages together', () => {
    const loaded = loadCloudAssembly(outdir, tmp('scratch-'));
    const result = runDeployRules(loaded.stacks, templateAcks(loaded.stacks));
    expect(result.findings.map((f) => `${f.stack} ${f.logicalId} ${f.rule}`)).toEqual([]);
    expect(result.problems).toEqual([]);
  });
});

describe('a gate with nothing to check', () => {
  test('an assembly without stacks says so and exits 2', async () => {
    const dir = tmp('empty-assembly-');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts: {} }));
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { errors.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      expect(await validateCommand.run([dir], { out: () => undefined, err: (t) => errors.push(t) })).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(errors.join('')).toMatch(/nothing to check/);
  });

  test('a directory that is no cloud assembly exits 2 (could not run), not 1 (findings)', async () => {
    const errors: string[] = [];
    expect(await validateCommand.run([tmp('not-an-assembly-')], { out: () => undefined, err: (t) => errors.push(t) })).toBe(2);
    expect(errors.join('')).toMatch(/no manifest.json/);
  });
});
