/**
 * checkov (CloudFormation framework), one process over all templates: its start-up costs
 * seconds. It runs on the real templates and on acknowledgement-free copies in the same
 * invocation: what only the copies report is what `Metadata.checkov.skip` hid, i.e. the
 * acknowledged findings, decided by checkov itself.
 */
import * as path from 'path';
import { TemplateAck } from './assembly';
import { Finding, StackInfo, ValidatorResult, arr, obj } from './model';
import { runToFiles, tail } from './process';
import { splitByToolSuppression, templateAckProblems } from './template-acks';

const VALIDATOR = 'checkov' as const;

/** One failed check from `checkov -o json`. */
export interface CheckovFailure {
  readonly file: string;
  readonly checkId: string;
  readonly checkName: string;
  /** CloudFormation logical id (checkov names resources `<Type>.<LogicalId>`). */
  readonly logicalId: string;
}

/** checkov prints one report object, or a list of them (one per framework), or a bare summary when nothing was scanned. */
export function parseCheckovOutput(output: unknown): CheckovFailure[] {
  const reports = Array.isArray(output) ? output : [output];
  const failures: CheckovFailure[] = [];
  for (const report of reports) {
    const r = obj(report);
    if (r.check_type !== undefined && r.check_type !== 'cloudformation') {
      continue;
    }
    for (const check of arr(obj(r.results).failed_checks)) {
      const c = obj(check);
      const resource = String(c.resource ?? '');
      const dot = resource.indexOf('.');
      failures.push({
        file: String(c.file_abs_path ?? c.file_path ?? ''),
        checkId: String(c.check_id ?? ''),
        checkName: String(c.check_name ?? ''),
        logicalId: dot >= 0 ? resource.slice(dot + 1) : resource,
      });
    }
  }
  return failures;
}

export async function runCheckov(
  checkov: string,
  stacks: readonly StackInfo[],
  bareFiles: ReadonlyMap<string, StackInfo>,
  acks: readonly TemplateAck[],
  workDir: string,
): Promise<ValidatorResult & { seconds: number }> {
  const realFiles = new Map(stacks.map((s) => [path.resolve(s.templateFile), s]));
  const files = [...realFiles.keys(), ...bareFiles.keys()].flatMap((f) => ['--file', f]);
  const run = await runToFiles(
    checkov,
    ['--framework', 'cloudformation', '--output', 'json', '--quiet', '--compact', '--skip-download', ...files],
    path.join(workDir, 'checkov.json'),
  );
  // 0: nothing failed, 1: some check failed; anything else is checkov failing.
  if (run.code !== 0 && run.code !== 1) {
    throw new Error(`checkov exited with ${run.code}:\n${tail(run.stderr || run.stdout)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    throw new Error(`checkov output is not JSON (see ${path.join(workDir, 'checkov.json')}):\n${tail(run.stderr)}`);
  }

  const real: Finding[] = [];
  const bare: Finding[] = [];
  for (const failure of parseCheckovOutput(parsed)) {
    const file = path.resolve(failure.file);
    const stack = realFiles.get(file) ?? bareFiles.get(file);
    if (!stack) {
      throw new Error(`checkov reported a file that is not a stack template: ${failure.file}`);
    }
    const finding: Finding = {
      validator: VALIDATOR,
      stack: stack.name,
      constructPath: stack.constructPaths.get(failure.logicalId) ?? '',
      logicalId: failure.logicalId,
      rule: failure.checkId,
      message: failure.checkName,
    };
    (realFiles.has(file) ? real : bare).push(finding);
  }

  const key = (f: Finding): string => `${f.stack}\u0000${f.logicalId}\u0000${f.rule}`;
  const { findings, acknowledged } = splitByToolSuppression(real, bare, key);
  const checkovAcks = acks.filter((a) => a.tool === 'checkov');
  const matches = (ack: TemplateAck, f: Finding): boolean => ack.logicalId === f.logicalId && ack.id === f.rule;
  return { validator: VALIDATOR, findings, acknowledged, problems: templateAckProblems(VALIDATOR, checkovAcks, bare, matches), seconds: run.seconds };
}
