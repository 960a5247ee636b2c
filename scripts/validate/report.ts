/** The table (console and Markdown) and the lists under it. */
import { AcknowledgementProblem, Finding, VALIDATORS, ValidatorResult } from './model';

export interface Report {
  readonly text: string;
  readonly markdown: string;
  readonly unacknowledged: number;
  readonly problems: number;
}

export function buildReport(stackNames: readonly string[], results: readonly ValidatorResult[], toolsLine: string): Report {
  const ordered = VALIDATORS.map((v) => {
    const r = results.find((x) => x.validator === v);
    if (!r) {
      throw new Error(`no result for validator ${v}`);
    }
    return r;
  });
  const count = (list: readonly Finding[], stack: string | undefined): number => list.filter((f) => stack === undefined || f.stack === stack).length;
  const header = ['Stack', ...VALIDATORS];
  const rows = stackNames.map((stack) => [stack, ...ordered.map((r) => `${count(r.findings, stack)} / ${count(r.acknowledged, stack)}`)]);
  // Findings that belong to no stack (should not happen) still show up in the total.
  const total = ['Total', ...ordered.map((r) => `${count(r.findings, undefined)} / ${count(r.acknowledged, undefined)}`)];

  const findings = ordered.flatMap((r) => sortFindings(r.findings));
  const problems = ordered.flatMap((r) => r.problems);
  const legend = 'Each cell: unacknowledged findings / acknowledged findings.';

  const text: string[] = [textTable(header, [...rows, total]), legend, toolsLine, ''];
  if (findings.length > 0) {
    text.push(`Unacknowledged findings (${findings.length}):`);
    for (const validator of VALIDATORS) {
      const mine = findings.filter((f) => f.validator === validator);
      if (mine.length > 0) {
        text.push(`  ${validator} (${mine.length})`);
        text.push(...mine.map((f) => `    ${f.stack}  ${resourceLabel(f)}  ${f.rule}  ${f.message}`));
      }
    }
    text.push('');
  }
  if (problems.length > 0) {
    text.push(`Acknowledgement problems (${problems.length}):`);
    text.push(...problems.map((p) => `  ${p.validator}  ${p.location}  ${p.id}  ${p.problem}`));
    text.push('');
  }
  text.push(
    findings.length === 0 && problems.length === 0
      ? 'OK: no unacknowledged findings, every acknowledgement is used and has a reason.'
      : `FAILED: ${findings.length} unacknowledged finding(s), ${problems.length} acknowledgement problem(s).`,
  );

  const md: string[] = [markdownTable(header, [...rows, total.map((c, i) => (i === 0 ? `**${c}**` : c))], true), '', `${legend} ${toolsLine}`, ''];
  if (findings.length > 0) {
    md.push('### Unacknowledged findings', '', markdownTable(['Validator', 'Stack', 'Resource', 'Rule', 'Message'], findings.map((f) => [f.validator, f.stack, resourceLabel(f), f.rule, f.message])), '');
  }
  if (problems.length > 0) {
    md.push('### Acknowledgement problems', '', markdownTable(['Validator', 'Where', 'Id', 'Problem'], problems.map((p: AcknowledgementProblem) => [p.validator, p.location, p.id, p.problem])), '');
  }
  return { text: text.join('\n'), markdown: md.join('\n'), unacknowledged: findings.length, problems: problems.length };
}

function resourceLabel(f: Finding): string {
  if (f.constructPath && f.logicalId) {
    return `${f.constructPath} (${f.logicalId})`;
  }
  return f.constructPath || f.logicalId || '(template)';
}

function sortFindings(list: readonly Finding[]): Finding[] {
  return [...list].sort((a, b) => a.stack.localeCompare(b.stack) || resourceLabel(a).localeCompare(resourceLabel(b)) || a.rule.localeCompare(b.rule));
}

function textTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: readonly string[], rows: readonly string[][], numeric = false): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `|${header.map((_, i) => (numeric && i > 0 ? ' ---: ' : ' --- ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
