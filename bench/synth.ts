// Synth speed and size: `npm run bench:synth`.
//
// Times `cdk synth --quiet` like for like: for Karma Labs and for Kwizly, one app with the stack built
// with the library (bench/library-*) against one app with the same topology written by hand with
// plain aws-cdk-lib (bench/plain-*), then compares the templates' resource counts and the lines of
// code a user writes for each. See bench/README.md.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');
const OUT = path.join(ROOT, 'bench', '.out');
const WARMUP_RUNS = 1;
const MEASURED_RUNS = 5;

/** Each topology, built with the library and by hand: one stack per app, same region, same runner. */
const PAIRS = [
  {
    name: 'Karma Labs',
    library: { app: 'bench/library-karma/app.ts', stack: 'KarmaLabs', files: ['examples/karma-labs.ts'] },
    plain: { app: 'bench/plain-karma/app.ts', stack: 'KarmaPlain', files: ['bench/plain-karma/karma-plain-stack.ts'] },
  },
  {
    name: 'Kwizly',
    library: { app: 'bench/library-kwizly/app.ts', stack: 'Kwizly', files: ['examples/kwizly.ts'] },
    plain: { app: 'bench/plain-kwizly/app.ts', stack: 'KwizlyPlain', files: ['bench/plain-kwizly/kwizly-plain-stack.ts'] },
  },
];

interface Target {
  readonly label: string;
  readonly app: string;
  readonly output: string;
  readonly times: number[];
}

function main(): void {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf-8')) as { app: string };
  // Every app runs with the same TypeScript runner as cdk.json's app ("npx tsx bin/examples.ts").
  const runner = /^(.*\S)\s+\S+\.ts$/.exec(cdkJson.app)?.[1] ?? 'npx tsx';
  const targets: Target[] = PAIRS.flatMap((pair) => (['library', 'plain'] as const).map((side) => ({
    label: `${pair.name} ${side === 'library' ? 'with cdk-web-tiers' : 'by hand (plain aws-cdk-lib)'}`,
    app: `${runner} ${pair[side].app}`,
    output: path.join(OUT, `${slug(pair.name)}-${side}`),
    times: [],
  })));
  for (const t of targets) fs.rmSync(t.output, { recursive: true, force: true });

  console.log(`cdk synth --quiet, ${WARMUP_RUNS} warm-up + ${MEASURED_RUNS} measured runs each, alternating ` +
    `(node ${process.version}, ${os.cpus().length} CPUs, load average ${loadAverage()})`);
  for (const t of targets) console.log(`  app: ${t.app}  ->  ${path.relative(ROOT, t.output)}`);
  for (let run = 0; run < WARMUP_RUNS + MEASURED_RUNS; run++) {
    for (const t of targets) {
      const seconds = synth(t);
      if (run >= WARMUP_RUNS) t.times.push(seconds);
      process.stderr.write(`  ${run < WARMUP_RUNS ? 'warm-up' : `run ${run - WARMUP_RUNS + 1}`}  ${path.basename(t.output).padEnd(18)} ${seconds.toFixed(2)} s\n`);
    }
  }
  console.log(`load average after the runs: ${loadAverage()} (other processes on the machine add noise)`);

  console.log('');
  console.log('Synth wall time (s), one stack per app');
  printTable(['', 'median', 'min', 'max'], targets.map(t => [t.label, median(t.times).toFixed(2), Math.min(...t.times).toFixed(2), Math.max(...t.times).toFixed(2)]));
  for (const [i, pair] of PAIRS.entries()) {
    console.log(`${pair.name}: ratio of medians (library / by hand, same topology): ${(median(targets[2 * i].times) / median(targets[2 * i + 1].times)).toFixed(2)}`);
  }

  console.log('');
  console.log('Resources per template');
  printTable(['topology', 'with cdk-web-tiers', 'by hand', 'ratio'], PAIRS.map((pair, i) => {
    const library = templates(targets[2 * i].output)[pair.library.stack];
    const plain = templates(targets[2 * i + 1].output)[pair.plain.stack];
    return [pair.name, String(library), String(plain), (library / plain).toFixed(2)];
  }));

  console.log('');
  console.log('Lines of code a user writes (non-blank, non-comment)');
  printTable(['topology', 'with cdk-web-tiers', 'lines', 'by hand', 'lines', 'by hand / library'], PAIRS.map((pair) => {
    const libraryLoc = sum(pair.library.files.map(countCodeLines));
    const plainLoc = sum(pair.plain.files.map(countCodeLines));
    return [pair.name, pair.library.files.join(' + '), String(libraryLoc), pair.plain.files.join(' + '), String(plainLoc), (plainLoc / libraryLoc).toFixed(2)];
  }));
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Runs one `cdk synth --quiet` and returns its wall time in seconds; exits the process if it fails. */
function synth(target: Target): number {
  const args = ['synth', '--quiet', '--no-notices', '--app', target.app, '--output', target.output];
  const start = process.hrtime.bigint();
  const result = spawnSync(CDK, args, {
    cwd: ROOT,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
    // No update check or telemetry: they talk to the network, which is not what is being measured.
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error || result.status !== 0) {
    console.error(`\n${CDK} ${args.map(a => (/\s/.test(a) ? `'${a}'` : a)).join(' ')} failed ` +
      `(${result.error ? result.error.message : `exit ${result.status ?? result.signal}`}):`);
    if (result.stdout) console.error(result.stdout);
    console.error(result.stderr);
    process.exit(1);
  }
  return seconds;
}

/** Resource count of each stack template in a cloud assembly, by stack name. */
function templates(output: string): Record<string, number> {
  const manifest = JSON.parse(fs.readFileSync(path.join(output, 'manifest.json'), 'utf-8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string } }>;
  };
  const counts: Record<string, number> = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(fs.readFileSync(path.join(output, artifact.properties.templateFile), 'utf-8')) as { Resources?: object };
    counts[artifact.properties.stackName ?? id] = Object.keys(template.Resources ?? {}).length;
  }
  if (Object.keys(counts).length === 0) {
    console.error(`No stack templates in ${output}`);
    process.exit(1);
  }
  return counts;
}

/** Lines that are neither blank nor only a comment (`//`, `/* ... *\/` and JSDoc). */
function countCodeLines(file: string): number {
  let inBlock = false;
  let count = 0;
  for (const raw of fs.readFileSync(path.join(ROOT, file), 'utf-8').split('\n')) {
    let line = raw.trim();
    if (inBlock) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      inBlock = false;
      line = line.slice(end + 2).trim();
    }
    while (line.startsWith('/*')) {
      const end = line.indexOf('*/', 2);
      if (end < 0) { inBlock = true; line = ''; break; }
      line = line.slice(end + 2).trim();
    }
    if (line === '' || line.startsWith('//')) continue;
    count++;
  }
  return count;
}

function loadAverage(): string {
  return os.loadavg().map(l => l.toFixed(2)).join(' ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const numeric = header.map((_, i) => rows.every(r => /^(-|[\d.]+)$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map(w => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main();
