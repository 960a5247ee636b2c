// Spike benchmark: `npm run bench:spike`.
//
// The same 15x TV-ad profile against (a) a web tier written with plain aws-cdk-lib as users
// write it (bench/plain-spike), (b) a StatelessWebTier with the library's defaults, and (c) the
// Buycycle example when it exists. Each app is synthesized, and each group is read back from its
// template by the spike CLI's reader, so all three are judged the same way. See bench/README.md.
import * as fs from 'fs';
import * as path from 'path';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { App, Stack } from 'aws-cdk-lib';
import { spikeChartSvg } from '../cli/spike-chart';
import { AppSource, SpikeProfile, SpikeResult, SpikeSimulation, StatelessWebTier, TierNetwork } from '../lib';
import { PlainWebStack } from './plain-spike/plain-web-stack';

const OUT = path.join(__dirname, '.out', 'spike');
const PROFILE = SpikeProfile.tvAd({ factor: 15 });
/** The same for every row: what one instance serves, how long it boots, the demand before the ad. */
const MODEL_OPTIONS = { requestsPerSecondPerInstance: 100, bootSeconds: 120 };
const BASELINE_RPS = 100;

interface Row {
  readonly label: string;
  readonly template: string;
  readonly group: string;
  readonly spikeStartsAt?: string;
}

function synthesize(name: string, build: (app: App) => Stack): string {
  const outdir = path.join(OUT, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-path-metadata': true,
      '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': true,
    },
  });
  const stack = build(app);
  app.synth();
  return path.join(outdir, `${stack.artifactId}.template.json`);
}

function libraryDefaults(app: App): Stack {
  const stack = new Stack(app, 'LibraryDefaults', { env: { region: 'us-east-1' } });
  const network = new TierNetwork(stack, 'Network');
  new StatelessWebTier(stack, 'Web', {
    vpc: network.vpc,
    protocol: elbv2.ApplicationProtocol.HTTP,
    source: AppSource.fromGitRepository({ repository: 'https://github.com/acme/shop.git', startCommand: 'npm start' }),
  });
  return stack;
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const rows: Row[] = [
    { label: '(a) plain aws-cdk-lib (CPU tracking 50 %, ELB health, no warm pool)', template: synthesize('plain', app => new PlainWebStack(app, 'PlainWeb', { env: { region: 'us-east-1' } })), group: 'WebAsg' },
    { label: '(b) StatelessWebTier defaults', template: synthesize('defaults', libraryDefaults), group: 'Web' },
  ];
  const buycycle = path.join(__dirname, '..', 'examples', 'buycycle.ts');
  if (fs.existsSync(buycycle)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BuycycleStack, TV_SLOT } = require(buycycle);
    const template = synthesize('buycycle', app => new BuycycleStack(app, 'Buycycle', { env: { region: 'us-east-1' } }));
    rows.push({ label: '(c) Buycycle example (ad on the calendar: prepareFor)', template, group: 'Web', spikeStartsAt: TV_SLOT });
    rows.push({ label: '(c\') Buycycle example, same ad as a surprise (no schedule)', template, group: 'Web' });
  } else {
    console.log('(c) Buycycle: examples/buycycle.ts does not exist yet, so its row is missing.');
  }

  for (const profile of [PROFILE, SpikeProfile.step({ factor: 15 })]) {
    await table(profile, rows, MODEL_OPTIONS);
  }
  // The same TV ad with what each template declares in its group's metadata (boot, warm start,
  // rate, objective; the plain group declares nothing and gets the defaults).
  await table(PROFILE, rows, {});
  console.log(`charts: ${path.relative(process.cwd(), OUT)}/*.svg`);
}

async function table(profile: SpikeProfile, rows: Row[], options: { requestsPerSecondPerInstance?: number; bootSeconds?: number }): Promise<void> {
  console.log(`${profile.name}, baseline ${BASELINE_RPS} requests/s, ` +
    (options.bootSeconds === undefined ? 'boot and rate as each template declares them' : `${options.requestsPerSecondPerInstance} requests/s per instance, ${options.bootSeconds} s boot`) +
    ', metric data usable 120 s after its minute, 10 s steps');
  const table: string[][] = [];
  for (const row of rows) {
    const template = JSON.parse(fs.readFileSync(row.template, 'utf-8'));
    const result: SpikeResult = SpikeSimulation.fromTemplate(template, row.group, options)
      .run(profile, { baselineRequestsPerSecond: BASELINE_RPS, spikeStartsAt: row.spikeStartsAt });
    const s = result.summary;
    const declared = options.bootSeconds === undefined ? '-declared' : '';
    const svg = path.join(OUT, `${row.label.slice(1, row.label.indexOf(')')).replace("'", '-surprise')}-${profile.name.replace(/\W+/g, '-')}${declared}.svg`);
    fs.writeFileSync(svg, await spikeChartSvg(result, { title: `${row.label}: ${profile.name}` }));
    table.push([
      row.label + (options.bootSeconds === undefined ? ` [${result.model.bootSeconds} s boot, ${result.model.requestsPerSecondPerInstance} req/s]` : ''),
      s.minutesToAbsorb === undefined ? 'never' : s.minutesToAbsorb.toFixed(1),
      `${(s.shareOfRequestsOverCapacity * 100).toFixed(1)} %`,
      `${(s.shareOfRequestsUnserved * 100).toFixed(1)} %`,
      `${s.peakInstances} (+${s.extraInstancesAtPeak})`,
      s.instanceHours.toFixed(1),
      s.overProvisionedInstanceHours.toFixed(1),
      `${(s.errorBudgetShareBurned * 100).toFixed(0)} %`,
      s.deathSpiral ? `yes (${s.instancesReplacedUnderOverload} replaced)` : 'no',
    ]);
  }
  printTable(['configuration', 'minutes to absorb', 'over capacity (30 min)', 'unserved (30 min)', 'peak instances (over need)',
    'instance-hours', 'of which over need', 'error budget burned (99.9 %)', 'death spiral'], table);
  console.log('');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map(w => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
