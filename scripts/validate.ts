/**
 * `npm run validate`: synthesize every example stack and run eight checks on them.
 *
 *   cdk-nag 3 packs (AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1), on the construct tree
 *   cfn-guard 3.1 + AWS Control Tower proactive rules, cfn-lint and checkov, on the templates
 *   deploy-rules: this package's own pack of what AWS refuses at deploy time (scripts/validate/deploy-rules/)
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
 *
 * With a directory argument (`cdk-web-tiers validate cdk.out`, the default outside this repository)
 * it validates a user's synthesized cloud assembly instead (scripts/validate/cloud-assembly.ts):
 * same validators, same table, same exit codes, no README check.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { loadAppBuilder, synthesizeStacks, templateAcks, writeBareTemplates } from './validate/assembly';
import { runCdkNag } from './validate/cdk-nag';
import { assemblyStackNames, loadCloudAssembly } from './validate/cloud-assembly';
import { runCfnGuard } from './validate/cfn-guard';
import { runCfnLint } from './validate/cfn-lint';
import { runCheckov } from './validate/checkov';
import { DEPLOY_RULES, runDeployRules } from './validate/deploy-rules';
import { PINNED_PYTHON_TOOLS, PythonMissingError, PythonTools, ensurePythonTools } from './validate/python';
import { buildReport } from './validate/report';
import { Finding, StackInfo, ValidatorResult } from './validate/model';

/** The package root (this repository, or node_modules/cdk-web-tiers once installed). */
const ROOT = packageRoot(__dirname);
/** In this repository the default is the examples app; elsewhere, the user's cdk.out. */
const IN_REPOSITORY = fs.existsSync(path.join(ROOT, 'bin', 'app.ts'));

function packageRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function log(line: string): void {
  process.stderr.write(`validate: ${line}\n`);
}

interface Args {
  /** Module exporting buildExamplesApp (repository mode), or undefined. */
  readonly appModule?: string;
  /** A synthesized cloud assembly to validate (user mode), or undefined. */
  readonly assemblyDir?: string;
  readonly updateReadme: boolean;
}

const USAGE = 'usage: cdk-web-tiers validate [<cdk.out>] | [--app <module exporting buildExamplesApp>] [--update-readme]';

function parseArgs(argv: readonly string[]): Args {
  let appModule: string | undefined;
  let assemblyDir: string | undefined;
  let updateReadme = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--app' && argv[i + 1]) {
      appModule = path.resolve(argv[++i]);
    } else if (argv[i] === '--update-readme') {
      updateReadme = true;
    } else if (!argv[i].startsWith('-') && assemblyDir === undefined) {
      assemblyDir = path.resolve(argv[i]);
    } else {
      throw new Error(`unknown argument ${argv[i]}; ${USAGE}`);
    }
  }
  if (assemblyDir !== undefined && (appModule !== undefined || updateReadme)) {
    throw new Error(`a cloud assembly directory cannot be combined with --app or --update-readme; ${USAGE}`);
  }
  if (assemblyDir === undefined && appModule === undefined) {
    if (IN_REPOSITORY) {
      appModule = path.join(ROOT, 'bin', 'app');
    } else {
      assemblyDir = path.resolve('cdk.out');
    }
  }
  return { appModule, assemblyDir, updateReadme };
}

/** Where cfn-lint and checkov are installed: the repository's .venv, or a per-user cache ($CDK_WEB_TIERS_VENV overrides). */
function venvDir(): string {
  if (process.env.CDK_WEB_TIERS_VENV) return path.resolve(process.env.CDK_WEB_TIERS_VENV);
  if (IN_REPOSITORY) return path.join(ROOT, '.venv');
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cache, 'cdk-web-tiers', `venv-cfn-lint-${PINNED_PYTHON_TOOLS['cfn-lint']}-checkov-${PINNED_PYTHON_TOOLS.checkov}`);
}

/** cdk-nag results of the rebuilt app, with the user's stack names and construct paths. */
function renamed(results: readonly ValidatorResult[], stackName: ReadonlyMap<string, string>, originalPath: ReadonlyMap<string, string>): ValidatorResult[] {
  const fix = (f: Finding): Finding => ({ ...f, stack: stackName.get(f.stack) ?? f.stack, constructPath: originalPath.get(f.constructPath) ?? f.constructPath });
  return results.map((r) => ({ ...r, findings: r.findings.map(fix), acknowledged: r.acknowledged.map(fix) }));
}

function versionOf(pkg: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`${pkg}/package.json`) as { version: string }).version;
}

/** Runs every validator; resolves to the exit code (0 clean, 1 findings, 2 a tool could not run). */
export async function validate(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const { appModule, assemblyDir, updateReadme } = parseArgs(argv);
  if (assemblyDir && assemblyStackNames(assemblyDir).length === 0) {
    return nothingToCheck(assemblyDir);
  }

  let python: PythonTools;
  try {
    python = ensurePythonTools(venvDir(), log);
  } catch (e) {
    if (e instanceof PythonMissingError) {
      process.stderr.write(`\nvalidate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const workDir = assemblyDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-web-tiers-validate-')) : path.join(ROOT, '.validate');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  let app: App;
  let stacks: StackInfo[];
  let nagStacks: StackInfo[];
  let nagOptions = {};
  let fromNagNames = (results: ValidatorResult[]): ValidatorResult[] => results;
  if (assemblyDir) {
    const loaded = loadCloudAssembly(assemblyDir, path.join(workDir, 'included.out'));
    ({ app, stacks, nagStacks } = loaded);
    nagOptions = { ackOrigins: loaded.ackOrigins };
    const names = new Map(nagStacks.map((s, i) => [s.name, stacks[i].name]));
    fromNagNames = (results) => renamed(results, names, loaded.originalPath);
    log(`read ${stacks.length} stack(s) from ${path.relative(process.cwd(), assemblyDir) || '.'} (${elapsed()})`);
  } else {
    app = loadAppBuilder(appModule!)({ outdir: path.join(workDir, 'cdk.out') });
    stacks = nagStacks = synthesizeStacks(app);
    log(`synthesized ${stacks.length} stack(s) into ${path.relative(ROOT, workDir)}/cdk.out (${elapsed()})`);
  }
  if (stacks.length === 0) {
    return nothingToCheck(assemblyDir ?? appModule!);
  }

  // The template-level tools run as child processes while cdk-nag walks the tree here.
  const bareFiles = writeBareTemplates(stacks, path.join(workDir, 'bare'));
  const acks = templateAcks(stacks);
  const external = Promise.all([
    runCfnGuard(stacks, acks, workDir),
    runCfnLint(python.cfnLint, stacks, bareFiles, acks, workDir),
    runCheckov(python.checkov, stacks, bareFiles, acks, workDir),
  ]);
  const deployRules = runDeployRules(stacks, acks);
  log(`deploy-rules: ${DEPLOY_RULES.length} rules in ${deployRules.seconds.toFixed(1)} s`);
  const nagStarted = Date.now();
  const nag = fromNagNames(runCdkNag(app, nagStacks, nagOptions));
  log(`cdk-nag: 4 packs in ${((Date.now() - nagStarted) / 1000).toFixed(1)} s`);
  const templateResults = await external;
  for (const r of templateResults) {
    log(`${r.validator}: ${r.seconds.toFixed(1)} s`);
  }

  const guardVersion = (JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'guard-version.json'), 'utf-8')) as { version: string }).version;
  const toolsLine =
    `Tools: cdk-nag ${versionOf('cdk-nag')}, cfn-guard ${guardVersion} with the Control Tower rules of ` +
    `@cdklabs/cdk-validator-cfnguard ${versionOf('@cdklabs/cdk-validator-cfnguard')}, cfn-lint ${PINNED_PYTHON_TOOLS['cfn-lint']}, checkov ${PINNED_PYTHON_TOOLS.checkov}, ` +
    `deploy-rules (${DEPLOY_RULES.length} rules of cdk-web-tiers).`;
  const report = buildReport(
    stacks.map((s) => s.name),
    [...nag, ...templateResults, deployRules],
    toolsLine,
  );
  const reportFile = path.join(workDir, 'report.md');
  fs.writeFileSync(reportFile, `${report.markdown}\n`);
  process.stdout.write(`${report.text}\n`);
  log(`report written to ${assemblyDir ? reportFile : path.relative(ROOT, reportFile)}; total ${elapsed()}`);
  const readmeCurrent = assemblyDir ? true : checkReadmeTable(report.markdown, updateReadme);
  return report.unacknowledged > 0 || report.problems > 0 || !readmeCurrent ? 1 : 0;
}

/** A gate that checks nothing must not pass: say so, exit 2. */
function nothingToCheck(source: string): number {
  process.stderr.write(`\nvalidate: nothing to check: ${source} has no CloudFormation stack (nested stage assemblies included). ` +
    'Run `cdk synth` first and pass its output directory (the one with manifest.json).\n');
  return 2;
}

/**
 * The README shows the per-stack table; it must say what the validators say. With
 * --update-readme the rows are rewritten, otherwise a stale table fails the run.
 */
function checkReadmeTable(markdown: string, update: boolean): boolean {
  const readmeFile = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(readmeFile, 'utf-8');
  // The per-stack table only: the first table of the report (the lists of findings below it are tables too).
  const lines = markdown.split('\n');
  const first = lines.findIndex((line) => line.startsWith('| '));
  const tableEnd = lines.findIndex((line, i) => i > first && !line.startsWith('| '));
  const rows = lines.slice(first, tableEnd < 0 ? undefined : tableEnd).filter((line) => !line.startsWith('| **Total**'));
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
