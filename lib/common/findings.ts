import { IConstruct } from 'constructs';
import { acknowledgeFindings } from './acknowledge';
import { checkOptions } from './validation';

/**
 * Acknowledges validator findings next to the resource they are about, with the reason a security
 * reviewer reads. One call covers every validator that `npm run validate` runs: ids starting with
 * `CKV_` go to checkov, `CT.` to cfn-guard (AWS Control Tower), `E1234`/`W1234` to cfn-lint, and
 * anything else to cdk-nag (`AwsSolutions-IAM4[...]`, `NIST.800.53.R5-...`, `HIPAA.Security-...`, `PCI.DSS.321-...`).
 */
export class Findings {
  /**
   * Acknowledges findings on `scope` (for the template tools: on its CloudFormation resource).
   *
   * @param scope the resource, or the L2 construct around it
   * @param reason why this is acceptable; at least 20 characters
   * @param ids the rule ids, as each validator prints them
   */
  public static acknowledge(scope: IConstruct, reason: string, ids: string[]): void {
    checkOptions(undefined, 'Findings.acknowledge', { scope, reason, ids }, { scope: 'object!', reason: 'string!', ids: 'array!' });
    acknowledgeFindings(scope, reason, ...ids);
  }

  private constructor() {}
}
