import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { createKey } from './encryption';

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

  private constructor() {}
}
