/**
 * cfn-lint (errors and warnings; informational I-rules are off by default), one process over
 * all templates. It runs on the real templates and on acknowledgement-free copies in the same
 * invocation: what only the copies report is what `Metadata.cfn-lint.config.ignore_checks`
 * hid, i.e. the acknowledged findings, decided by cfn-lint itself.
 */
import * as path from 'path';
import { TemplateAck } from './assembly';
import { Finding, StackInfo, ValidatorResult, arr, obj } from './model';
import { runToFiles, tail } from './process';
import { splitByToolSuppression, templateAckProblems } from './template-acks';

const VALIDATOR = 'cfn-lint' as const;

/** One match from `cfn-lint --format json`. */
export interface CfnLintMatch {
  readonly file: string;
  readonly ruleId: string;
  readonly level: string;
  /** The JSON path of the match, e.g. ['Resources', 'Bucket', 'Properties', 'X']. */
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export function parseCfnLintOutput(output: unknown): CfnLintMatch[] {
  return arr(output).map((m) => {
    const match = obj(m);
    return {
      file: String(match.Filename ?? ''),
      ruleId: String(obj(match.Rule).Id ?? ''),
      level: String(match.Level ?? ''),
      path: arr(obj(match.Location).Path).map((p) => (typeof p === 'number' ? p : String(p))),
      message: String(match.Message ?? ''),
    };
  });
}

export async function runCfnLint(
  cfnLint: string,
  stacks: readonly StackInfo[],
  bareFiles: ReadonlyMap<string, StackInfo>,
  acks: readonly TemplateAck[],
  workDir: string,
): Promise<ValidatorResult & { seconds: number }> {
  const realFiles = new Map(stacks.map((s) => [path.resolve(s.templateFile), s]));
  const run = await runToFiles(cfnLint, ['--format', 'json', '--', ...realFiles.keys(), ...bareFiles.keys()], path.join(workDir, 'cfn-lint.json'));
  // Exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else means cfn-lint itself failed.
  if ((run.code & ~(2 | 4 | 8)) !== 0) {
    throw new Error(`cfn-lint exited with ${run.code}:\n${tail(run.stderr || run.stdout)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new Error(`cfn-lint output is not JSON (see ${path.join(workDir, 'cfn-lint.json')}):\n${tail(run.stderr)}`);
  }

  const real: Finding[] = [];
  const bare: Finding[] = [];
  for (const match of parseCfnLintOutput(parsed)) {
    const file = path.resolve(match.file);
    const stack = realFiles.get(file) ?? bareFiles.get(file);
    if (!stack) {
      throw new Error(`cfn-lint reported a file that is not a stack template: ${match.file}`);
    }
    const logicalId = match.path[0] === 'Resources' && match.path.length > 1 ? String(match.path[1]) : '';
    const finding: Finding = {
      validator: VALIDATOR,
      stack: stack.name,
      constructPath: logicalId === '' ? '' : stack.constructPaths.get(logicalId) ?? '',
      logicalId,
      rule: match.ruleId,
      message: `${match.message} (${match.path.join('/')})`,
    };
    (realFiles.has(file) ? real : bare).push(finding);
  }

  const key = (f: Finding): string => `${f.stack}\u0000${f.rule}\u0000${f.message}`;
  const { findings, acknowledged } = splitByToolSuppression(real, bare, key);
  const lintAcks = acks.filter((a) => a.tool === 'cfn-lint');
  // cfn-lint matches resource-level ignore_checks exactly, template-level ones as prefixes.
  const matches = (ack: TemplateAck, f: Finding): boolean =>
    ack.logicalId === '' ? f.rule.startsWith(ack.id) : ack.logicalId === f.logicalId && ack.id === f.rule;
  return { validator: VALIDATOR, findings, acknowledged, problems: templateAckProblems(VALIDATOR, lintAcks, bare, matches), seconds: run.seconds };
}
