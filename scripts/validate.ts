/**
 * `npm run validate`: synthesize every example stack and run seven security checks on them.
 *
 *   cdk-nag 3 packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1), on the construct tree
 *   cfn-guard 3.1 + AWS Control Tower proactive rules, cfn-lint and checkov, on the templates
 *
 * Prints one row per stack with "unacknowledged / acknowledged" findings per validator, then every
 * unacknowledged finding and every acknowledgement problem (stale, or without a reason of at least
 * 20 characters), writes the same as Markdown to .validate/report.md, and exits 1 if there is
 * anything in either list (2 if a tool could not run). How each validator's acknowledgements are
 * counted is described at the top of its module in scripts/validate/.
 *
 * It also fails when the table in README.md no longer matches (--update-readme rewrites it).
 *
 * Options: --update-readme; --app <module> (for developing the script) builds the app from another
 * module that exports buildExamplesApp(props?: { outdir?: string }): cdk.App (default: bin/app.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadAppBuilder, synthesizeStacks, templateAcks, writeBareTemplates } from './validate/assembly';
import { runCdkNag } from './validate/cdk-nag';
import { runCfnGuard } from './validate/cfn-guard';
import { runCfnLint } from './validate/cfn-lint';
import { runCheckov } from './validate/checkov';
import { PINNED_PYTHON_TOOLS, PythonMissingError, PythonTools, ensurePythonTools } from './validate/python';
import { buildReport } from './validate/report';

const ROOT = path.resolve(__dirname, '..');
const WORK_DIR = path.join(ROOT, '.validate');

function log(line: string): void {
  process.stderr.write(`validate: ${line}\n`);
}

function parseArgs(argv: readonly string[]): { appModule: string; updateReadme: boolean } {
  let appModule = path.join(ROOT, 'bin', 'app');
  let updateReadme = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--app' && argv[i + 1]) {
      appModule = path.resolve(argv[++i]);
    } else if (argv[i] === '--update-readme') {
      updateReadme = true;
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: tsx scripts/validate.ts [--app <module exporting buildExamplesApp>] [--update-readme]`);
    }
  }
  return { appModule, updateReadme };
}

function versionOf(pkg: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

/** Runs every validator; resolves to the exit code (0 clean, 1 findings, 2 a tool could not run). */
export async function validate(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const { appModule, updateReadme } = parseArgs(argv);

  let python: PythonTools;
  try {
    python = ensurePythonTools(path.join(ROOT, '.venv'), log);
  } catch (e) {
    if (e instanceof PythonMissingError) {
      process.stderr.write(`\nvalidate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const outdir = path.join(WORK_DIR, 'cdk.out');
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const app = loadAppBuilder(appModule)({ outdir });
  const stacks = synthesizeStacks(app);
  if (stacks.length === 0) {
    throw new Error(`${appModule} synthesized no stacks`);
  }
  log(`synthesized ${stacks.length} stack(s) into ${path.relative(ROOT, outdir)} (${elapsed()})`);

  // The template-level tools run as child processes while cdk-nag walks the tree here.
  const bareFiles = writeBareTemplates(stacks, path.join(WORK_DIR, 'bare'));
  const acks = templateAcks(stacks);
  const external = Promise.all([
    runCfnGuard(stacks, acks, WORK_DIR),
    runCfnLint(python.cfnLint, stacks, bareFiles, acks, WORK_DIR),
    runCheckov(python.checkov, stacks, bareFiles, acks, WORK_DIR),
  ]);
  const nagStarted = Date.now();
  const nag = runCdkNag(app, stacks);
  log(`cdk-nag: 4 packs in ${((Date.now() - nagStarted) / 1000).toFixed(1)} s`);
  const templateResults = await external;
  for (const r of templateResults) {
    log(`${r.validator}: ${r.seconds.toFixed(1)} s`);
  }

  const guardVersion = (JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'guard-version.json'), 'utf-8')) as { version: string }).version;
  const toolsLine =
    `Tools: cdk-nag ${versionOf('cdk-nag')}, cfn-guard ${guardVersion} with the Control Tower rules of ` +
    `@cdklabs/cdk-validator-cfnguard ${versionOf('@cdklabs/cdk-validator-cfnguard')}, cfn-lint ${PINNED_PYTHON_TOOLS['cfn-lint']}, checkov ${PINNED_PYTHON_TOOLS.checkov}.`;
  const report = buildReport(
    stacks.map((s) => s.name),
    [...nag, ...templateResults],
    toolsLine,
  );
  const reportFile = path.join(WORK_DIR, 'report.md');
  fs.writeFileSync(reportFile, `${report.markdown}\n`);
  process.stdout.write(`${report.text}\n`);
  log(`report written to ${path.relative(ROOT, reportFile)}; total ${elapsed()}`);
  const readmeCurrent = checkReadmeTable(report.markdown, updateReadme);
  return report.unacknowledged > 0 || report.problems > 0 || !readmeCurrent ? 1 : 0;
}

/**
 * The README shows the per-stack table; it must say what the validators say. With
 * --update-readme the rows are rewritten, otherwise a stale table fails the run.
 */
function checkReadmeTable(markdown: string, update: boolean): boolean {
  const readmeFile = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(readmeFile, 'utf-8');
  const rows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| **Total**'));
  const start = readme.indexOf(rows[0]);
  if (start < 0) {
    log('README.md has no validator table (a line starting with the header row of .validate/report.md)');
    return false;
  }
  const end = readme.indexOf('\n\n', start);
  const current = readme.slice(start, end);
  const expected = rows.join('\n');
  if (current === expected) return true;
  if (update) {
    fs.writeFileSync(readmeFile, readme.slice(0, start) + expected + readme.slice(end));
    log('README.md validator table updated');
    return true;
  }
  process.stdout.write(`\nThe README table is out of date. It says:\n${current}\nThe validators say:\n${expected}\nRun: npm run validate -- --update-readme\n`);
  return false;
}

if (require.main === module) {
  validate(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`\nvalidate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
