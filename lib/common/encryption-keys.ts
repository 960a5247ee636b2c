import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createKey, setStackDefaultKey, stackDefaultKey } from './encryption';

/**
 * KMS keys as this library creates them for its own resources, for the rest of your stack
 * (a database, a backup vault): yearly rotation, and grants only for AWS services acting on AWS
 * resources (AWS Control Tower CT.KMS.PR.3).
 */
export class EncryptionKeys {
  /** Creates such a key. */
  public static create(scope: Construct, id: string, description: string): kms.Key {
    return createKey(scope, id, description);
  }

  /**
   * Makes `key` the default of every construct of this library created afterwards in the stack
   * of `scope` (network flow logs, tier logs and notifications, WAF logs, job lock, uploads), so
   * that a stack has one customer managed key instead of one per construct. A construct's own
   * `encryptionKey` prop still wins. Call it before creating the constructs.
   *
   * A key from `EncryptionKeys.create` (or any `kms.Key` of the stack) gets the key policy
   * statements the constructs need (CloudWatch Logs, Auto Scaling notifications); an imported key
   * must already allow them.
   */
  public static setDefault(scope: Construct, key: kms.IKey): void {
    setStackDefaultKey(scope, key);
  }

  /**
   * The stack-wide default key of the stack of `scope`, or undefined when none was set.
   */
  public static defaultOf(scope: Construct): kms.IKey | undefined {
    return stackDefaultKey(scope);
  }

  private constructor() {}
}
