/**
 * cfn-guard 3.1 with the AWS Control Tower proactive-control rules, both shipped by
 * @cdklabs/cdk-validator-cfnguard, run directly on the synthesized templates.
 *
 * Acknowledgement: resource `Metadata.guard.SuppressedRules` (the registry convention). The Control
 * Tower rules in that package do not read it (none of them mentions SuppressedRules, and guard
 * itself has no built-in suppression; checked with cfn-guard 3.1.1), so this script applies it:
 * a failure of rule R on resource X is acknowledged when X's SuppressedRules lists R's Control
 * Tower id (`CT.S3.PR.1`) or its guard rule name (`s3_bucket_level_public_access_prohibited_check`).
 */
import * as os from 'os';
import * as path from 'path';
import { TemplateAck } from './assembly';
import { Finding, StackInfo, ValidatorResult, arr, obj } from './model';
import { runToFiles, tail } from './process';
import { templateAckProblems } from './template-acks';

const VALIDATOR = 'cfn-guard (Control Tower)' as const;

/** One failed rule on one template, as read from guard's structured JSON output. */
export interface GuardFailure {
  /** The data file, as guard names it. */
  readonly file: string;
  /** Guard rule name, e.g. `s3_bucket_level_public_access_prohibited_check`. */
  readonly ruleName: string;
  /** Control Tower control id from the rule's message, e.g. `CT.S3.PR.1`. */
  readonly controlId: string | undefined;
  readonly message: string;
  /** Logical ids of the resources the failed checks traversed to ('' when none could be told). */
  readonly logicalIds: string[];
}

/**
 * Parse `cfn-guard validate --output-format json --show-summary none --structured` output: a list
 * of `{ name: <data file>, not_compliant: [{ Rule: { name, checks: [...] } }] }`. The shape of the
 * nested checks depends on how each rule is written, so instead of following it we collect, below
 * each failed rule, every `path` value that points into `/Resources/<LogicalId>` and the first
 * `[CT.X.PR.n]: title` custom message.
 */
export function parseGuardOutput(output: unknown): GuardFailure[] {
  const failures: GuardFailure[] = [];
  for (const fileResult of arr(output)) {
    const file = String(obj(fileResult).name ?? '');
    for (const entry of arr(obj(fileResult).not_compliant)) {
      const rule = obj(obj(entry).Rule ?? entry);
      const ruleName = String(rule.name ?? 'unknown-rule');
      const logicalIds = new Set<string>();
      let controlId: string | undefined;
      let title: string | undefined;
      let errorMessage: string | undefined;
      walk(rule, (key, value) => {
        if (key === 'path') {
          const m = /^\/Resources\/([^/[]+)/.exec(value);
          if (m) {
            logicalIds.add(m[1]);
          }
        } else if (key === 'custom_message' && controlId === undefined) {
          const m = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]:\s*([^\n]*)/.exec(value);
          if (m) {
            controlId = m[1];
            title = m[2].trim();
          }
        } else if (key === 'error_message' && errorMessage === undefined && value.trim() !== '') {
          errorMessage = value.trim();
        }
      });
      failures.push({
        file,
        ruleName,
        controlId,
        message: title ?? errorMessage ?? ruleName,
        logicalIds: logicalIds.size > 0 ? [...logicalIds].sort() : [''],
      });
    }
  }
  return failures;
}

function walk(value: unknown, visit: (key: string, value: string) => void, key = ''): void {
  if (typeof value === 'string') {
    visit(key, value);
  } else if (Array.isArray(value)) {
    for (const item of value) {
      walk(item, visit, key);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      walk(v, visit, k);
    }
  }
}

/** Where @cdklabs/cdk-validator-cfnguard keeps the guard binary and the Control Tower rules. */
export function guardPaths(): { binary: string; rules: string } {
  const pkg = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const platform = os.platform() === 'linux' ? 'ubuntu' : os.platform() === 'darwin' ? 'macos' : undefined;
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : undefined;
  if (!platform || !arch) {
    throw new Error(`@cdklabs/cdk-validator-cfnguard ships cfn-guard for linux and macOS on x64/arm64 only, not ${os.platform()}/${os.arch()}`);
  }
  return { binary: path.join(pkg, 'bin', platform, arch, 'cfn-guard'), rules: path.join(pkg, 'rules', 'control-tower', 'cfn-guard') };
}

export async function runCfnGuard(stacks: readonly StackInfo[], acks: readonly TemplateAck[], workDir: string): Promise<ValidatorResult & { seconds: number }> {
  const { binary, rules } = guardPaths();
  const args = ['validate', '--rules', rules, ...stacks.flatMap((s) => ['--data', s.templateFile]), '--output-format', 'json', '--show-summary', 'none', '--structured'];
  const run = await runToFiles(binary, args, path.join(workDir, 'cfn-guard.json'));
  // guard exits 19 when some rule fails (5 in some versions); anything else is an error.
  if (![0, 5, 19].includes(run.code)) {
    throw new Error(`cfn-guard exited with ${run.code}:\n${tail(run.stderr || run.stdout)}`);
  }
  let parsed: unknown;
  try {
    parsed = run.stdout.trim() === '' ? [] : JSON.parse(run.stdout);
  } catch {
    throw new Error(`cfn-guard output is not JSON (see ${path.join(workDir, 'cfn-guard.json')}):\n${tail(run.stderr)}`);
  }

  const byFile = new Map(stacks.map((s) => [path.resolve(s.templateFile), s]));
  const raw: Finding[] = [];
  for (const failure of parseGuardOutput(parsed)) {
    const stack = byFile.get(path.resolve(failure.file));
    if (!stack) {
      throw new Error(`cfn-guard reported a file that is not a stack template: ${failure.file}`);
    }
    for (const logicalId of failure.logicalIds) {
      raw.push({
        validator: VALIDATOR,
        stack: stack.name,
        constructPath: logicalId === '' ? '' : stack.constructPaths.get(logicalId) ?? '',
        logicalId,
        rule: failure.controlId ?? failure.ruleName,
        ruleAliases: [failure.ruleName],
        message: failure.message,
      });
    }
  }

  const guardAcks = acks.filter((a) => a.tool === 'cfn-guard');
  const matches = (ack: TemplateAck, f: Finding): boolean =>
    ack.stack.name === f.stack && ack.logicalId === f.logicalId && (ack.id === f.rule || (f.ruleAliases ?? []).includes(ack.id));
  const findings: Finding[] = [];
  const acknowledged: Finding[] = [];
  for (const f of raw) {
    (guardAcks.some((a) => matches(a, f)) ? acknowledged : findings).push(f);
  }
  return { validator: VALIDATOR, findings, acknowledged, problems: templateAckProblems(VALIDATOR, guardAcks, raw, matches), seconds: run.seconds };
}
