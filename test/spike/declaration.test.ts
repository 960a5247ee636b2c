/**
 * Boot time travels with the template: each tier writes its expected boot and warm start (and
 * its declared rate and objective) into the group's metadata, and the simulator, `expectSpike`
 * and the CLI read the same numbers from it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runCli } from '../../cli/main';
import { KarmaLabsStack } from '../../examples/karma-labs';
import { KwizlyStack } from '../../examples/kwizly';
import { SPIKE_DECLARATION_METADATA_KEY } from '../../lib/fleet/boot-estimate';
import { SPIKE_METADATA_KEY } from '../../lib/spike/constants';
import { SpikeProfile, SpikeSimulation, StatelessWebTier } from '../../lib';
import { newStack, testCertificate, testSource, testVpc } from '../helpers';

function declaration(template: Template, logicalIdPrefix = 'Web'): Record<string, unknown> {
  const groups = template.findResources('AWS::AutoScaling::AutoScalingGroup');
  const id = Object.keys(groups).find(k => k.startsWith(logicalIdPrefix))!;
  return groups[id].Metadata[SPIKE_METADATA_KEY];
}

test('the fleet writes the key the simulator reads (the pure model does not import the fleet)', () => {
  expect(SPIKE_DECLARATION_METADATA_KEY).toBe(SPIKE_METADATA_KEY);
});

test('the spike model is pure: no file of the simulator imports aws-cdk-lib', () => {
  for (const f of ['model', 'simulator', 'spike-run', 'metrics', 'alarms', 'schedule', 'profile', 'cron', 'constants', 'template-reader']) {
    const text = fs.readFileSync(path.join(__dirname, '..', '..', 'lib', 'spike', `${f}.ts`), 'utf-8');
    expect({ f, imports: /from 'aws-cdk-lib|from 'constructs'|from '\.\.\//.test(text) }).toEqual({ f, imports: false });
  }
});

test('Kwizly (packages, clone and build at boot) and Karma Labs (a baked image) declare different boot times', () => {
  const kwizly = declaration(Template.fromStack(new KwizlyStack(new App(), 'Kwizly', { env: { region: 'us-east-1' } })));
  const karma = declaration(Template.fromStack(new KarmaLabsStack(new App(), 'KarmaLabs', { env: { region: 'us-east-1' } })));
  expect(kwizly.basis).toMatch(/built at boot/);
  expect(karma.basis).toMatch(/baked into the image/);
  expect(kwizly.bootSeconds as number).toBeGreaterThan(3 * (karma.bootSeconds as number));
  // A git source clones and builds again when it resumes from a warm pool.
  expect(kwizly.warmStartSeconds as number).toBeGreaterThan(karma.warmStartSeconds as number);
});

test('a declared boot time wins over the estimate; the rate and the objective are declared too', () => {
  const stack = newStack();
  new StatelessWebTier(stack, 'Web', {
    vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack),
    expectedBootTime: Duration.minutes(4), expectedWarmStartTime: Duration.seconds(45),
    scaling: { requestsPerSecondPerInstance: 180 }, slo: { availability: 99.5 },
  });
  expect(declaration(Template.fromStack(stack))).toMatchObject({
    bootSeconds: 240, warmStartSeconds: 45, requestsPerSecondPerInstance: 180, availabilityObjectivePercent: 99.5, basis: 'declared by the tier (expectedBootTime)',
  });
});

test('the CLI, SpikeSimulation.of and expectSpike read the same declared numbers from one template', async () => {
  const stack = newStack('Shop', {}, new App({ context: { 'aws:cdk:enable-path-metadata': true } }));
  const web = new StatelessWebTier(stack, 'Web', {
    vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), capacity: { min: 2, max: 30 },
    scaling: { requestsPerSecondPerInstance: 180 }, expectedBootTime: Duration.seconds(150),
  });
  const fromConstruct = SpikeSimulation.of(web).run(SpikeProfile.tvAd({ factor: 15 }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spike-declared-'));
  const file = path.join(dir, 'Shop.template.json');
  fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
  let stdout = '';
  const code = await runCli(['spike', file, '--group', 'Web', '--json'], { out: t => { stdout += t; }, err: () => undefined });
  expect(code).toBe(0);
  const cli = JSON.parse(stdout);
  expect(cli.requestsPerSecondPerInstance).toBe(180);
  expect(cli.bootSeconds).toBe(150);
  expect(cli.minutesToAbsorb).toBe(fromConstruct.summary.minutesToAbsorb ?? null);
  expect(cli.shareOfRequestsOverCapacity).toBe(fromConstruct.summary.shareOfRequestsOverCapacity);
  fs.rmSync(dir, { recursive: true, force: true });
});
