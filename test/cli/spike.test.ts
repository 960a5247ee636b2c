import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CliIo } from '../../cli/command';
import { runCli } from '../../cli/main';
import { StatelessWebTier } from '../../lib';
import { newStack, testCertificate, testSource, testVpc } from '../helpers';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => { io.stdout += t; }, err: (t: string) => { io.stderr += t; } };
  return io;
}

describe('cdk-web-tiers spike', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spike-cli-'));
  const templateFile = path.join(dir, 'Shop.template.json');

  beforeAll(() => {
    const stack = newStack('Shop', {}, new App({ context: { 'aws:cdk:enable-path-metadata': true } }));
    new StatelessWebTier(stack, 'Web', { vpc: testVpc(stack), source: testSource(), certificate: testCertificate(stack), capacity: { min: 2, max: 12 } });
    fs.writeFileSync(templateFile, JSON.stringify(Template.fromStack(stack).toJSON()));
  });

  test('--json prints one object with the summary, null when capacity never covers demand', async () => {
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--profile', 'tv-ad', '--factor', '15', '--json'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    // bootSeconds: what the tier declares in the group's metadata (testSource is an image).
    expect(out).toMatchObject({ profile: 'TV ad 15x', requestsPerSecondPerInstance: 100, bootSeconds: 96, baselineRequestsPerSecond: 100 });
    for (const key of ['minutesToAbsorb', 'shareOfRequestsOverCapacity', 'peakInstances', 'instanceHours', 'deathSpiral']) expect(out).toHaveProperty(key);
    // 15x of one instance's worth needs 15 instances; this group stops at 12.
    expect(out.minutesToAbsorb).toBeNull();
    expect(out.instancesNeededAtPeak).toBe(15);
    expect(out.group).toContain('Shop/Web/Fleet/Group/ASG');
  });

  test('flags set what a template cannot say, and --svg writes a chart', async () => {
    const io = capture();
    const svg = path.join(dir, 'chart.svg');
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--profile', 'step', '--factor', '1.8', '--rps-per-instance', '400', '--boot-seconds', '60', '--svg', svg], io)).toBe(0);
    expect(io.stdout).toContain('step 1.8x against');
    expect(io.stdout).toContain('400 requests/s per instance, 60 s boot, baseline 100 requests/s');
    expect(io.stdout).toMatch(/minutes until capacity covers demand +0\.0\n/);
    const text = fs.readFileSync(svg, 'utf-8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('demand (requests/s)');
    expect(text).toContain('in-service capacity (requests/s)');
    // Marks the spike's start; the title says in words when capacity covers demand.
    expect(text).toContain('spike starts');
    expect(text).toContain('capacity covers demand from the start');
  });

  test('the chart of a spike that is never absorbed says so in words, never "after never"', async () => {
    const svg = path.join(dir, 'never.svg');
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--svg', svg], capture())).toBe(0);
    const text = fs.readFileSync(svg, 'utf-8');
    expect(text).toContain('capacity never covers demand before the peak ends');
    expect(text).not.toContain('after never');
    expect(text).toMatch(/peak \d+ instances \(the peak needs 15\)/);
  });

  test('a CSV of requests per minute is a profile', async () => {
    const csv = path.join(dir, 'requests.csv');
    fs.writeFileSync(csv, ['timestamp,requests', ...Array.from({ length: 20 }, (_, i) => `2026-03-01T20:${String(i).padStart(2, '0')}:00Z,${i < 5 ? 6000 : 18000}`)].join('\n'));
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--csv', csv, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).profile).toBe('CSV (20 minutes)');
  });

  test('a CSV whose first row is data (0,1e3) is not taken for a header', async () => {
    const csv = path.join(dir, 'exp.csv');
    fs.writeFileSync(csv, ['0,1e3', ...Array.from({ length: 9 }, (_, i) => `${i + 1},${i < 4 ? 1000 : 9000}`)].join('\n'));
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--csv', csv, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).profile).toBe('CSV (10 minutes)');
  });

  test('--at on a group without scheduled actions says that it changes nothing', async () => {
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--at', '2026-03-01T20:00:00Z', '--json'], io)).toBe(0);
    expect(io.stderr).toContain('--at changes nothing');
    expect(JSON.parse(io.stdout).notes.join(' ')).toContain('no scheduled actions');
  });

  test('--group takes a tier id, a construct path or a logical id, with the same numbers', async () => {
    const outs: unknown[] = [];
    for (const group of ['Web', 'Shop/Web', 'WebFleetGroupASG3FDC1013']) {
      const io = capture();
      expect(await runCli(['spike', templateFile, '--group', group, '--json'], io)).toBe(0);
      outs.push(JSON.parse(io.stdout));
    }
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });

  test('JSON fields are only ever added: the original ones stay, with cost and the error budget beside them', async () => {
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--json', '--availability-objective', '99.5', '--metric-delay-seconds', '60'], io)).toBe(0);
    const out = JSON.parse(io.stdout);
    for (const key of ['group', 'profile', 'baselineRequestsPerSecond', 'minutesToAbsorb', 'shareOfRequestsOverCapacity', 'peakInstances', 'instanceHours',
      'deathSpiral', 'instancesReplacedUnderOverload', 'firstScaleOutSeconds', 'instancesNeededAtPeak', 'maxCapacityReached', 'requestsPerSecondPerInstance',
      'bootSeconds', 'notes', 'overProvisionedInstanceHours', 'extraInstancesAtPeak', 'errorBudgetShareBurned', 'coverageLosses', 'minutesToServeAll']) {
      expect(out).toHaveProperty(key);
    }
    expect(out.availabilityObjectivePercent).toBe(99.5);
    expect(out.metricPublicationDelaySeconds).toBe(60);
  });

  test('--expect-minutes fails the run when capacity does not cover demand in time', async () => {
    const io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--expect-minutes', '3'], io)).toBe(1);
    expect(io.stderr).toContain('capacity does not cover demand within 3 minutes');
  });

  test('bad usage exits 64; bad input names the value and the fix', async () => {
    let io = capture();
    expect(await runCli(['spike', templateFile], io)).toBe(64);
    expect(io.stderr).toContain('--group is required');
    io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--factor', 'lots'], io)).toBe(64);
    expect(io.stderr).toContain('--factor must be a number');
    // An invalid flag value is bad usage too, whether it is not a number or not a valid one.
    for (const factor of ['1', '0', '1e308']) {
      io = capture();
      expect(await runCli(['spike', templateFile, '--group', 'Web', '--factor', factor], io)).toBe(64);
      expect(io.stderr).toContain(`invalid factor (${Number(factor)})`);
    }
    io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--boot-seconds', '-5'], io)).toBe(64);
    io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Web', '--at', 'tonight'], io)).toBe(64);
    io = capture();
    expect(await runCli(['spike', templateFile, '--group', 'Api'], io)).toBe(1);
    expect(io.stderr).toMatch(/invalid group \("Api"\).*Shop\/Web\/Fleet\/Group\/ASG/);
  });
});
