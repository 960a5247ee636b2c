/** Acknowledgement bookkeeping shared by the template-level validators. */
import { ACKNOWLEDGEMENT_REASONS_METADATA_KEY, MIN_ACKNOWLEDGEMENT_REASON_LENGTH } from '../../lib/common/acknowledge';
import { TemplateAck } from './assembly';
import { AcknowledgementProblem, Finding, ValidatorName, countKeys } from './model';

/**
 * Split the findings of a run on the acknowledgement-free ("bare") templates into those the run
 * on the real templates still reports (unacknowledged) and those it no longer reports
 * (acknowledged: the tool's own suppression mechanism hid them). Findings are compared as a
 * multiset of `key`.
 */
export function splitByToolSuppression(
  real: readonly Finding[],
  bare: readonly Finding[],
  key: (f: Finding) => string,
): { findings: Finding[]; acknowledged: Finding[] } {
  const remaining = countKeys(real, key);
  const acknowledged: Finding[] = [];
  for (const f of bare) {
    const k = key(f);
    const n = remaining.get(k) ?? 0;
    if (n > 0) {
      remaining.set(k, n - 1);
    } else {
      acknowledged.push(f);
    }
  }
  return { findings: [...real], acknowledged };
}

/**
 * Problems with template acknowledgements: stale ones (no raw finding that `matches` them) and
 * ones without an acceptable reason.
 */
export function templateAckProblems(
  validator: ValidatorName,
  acks: readonly TemplateAck[],
  rawFindings: readonly Finding[],
  matches: (ack: TemplateAck, finding: Finding) => boolean,
): AcknowledgementProblem[] {
  const problems: AcknowledgementProblem[] = [];
  for (const ack of acks) {
    const constructPath = ack.logicalId === '' ? undefined : ack.stack.constructPaths?.get(ack.logicalId);
    const location = ack.logicalId === '' ? `${ack.stack.name} (template Metadata)` : `${constructPath ?? ack.stack.name} (${ack.logicalId})`;
    const base = { validator, stack: ack.stack.name, location, id: ack.id };
    if (!rawFindings.some((f) => f.stack === ack.stack.name && matches(ack, f))) {
      problems.push({ ...base, problem: `stale: ${validator} reports no such finding on this resource` });
    }
    if (ack.reason === undefined) {
      problems.push({
        ...base,
        problem:
          ack.tool === 'checkov'
            ? 'checkov skip without a comment'
            : `no reason recorded (acknowledgeFinding() keeps it in Metadata['${ACKNOWLEDGEMENT_REASONS_METADATA_KEY}'])`,
      });
    } else if (ack.reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
      problems.push({ ...base, problem: `reason shorter than ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters: ${JSON.stringify(ack.reason)}` });
    }
  }
  return problems;
}
