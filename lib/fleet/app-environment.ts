import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalid } from '../common/validation';
import { bootFile } from './boot-script';
import { BootPhase, BootStep } from './boot-step';

/** The app environment file on every instance: owned by the app user, mode 0600. */
export const APP_ENV_FILE = '/etc/cdk-web-tiers/app.env';

/**
 * Options for adding a secret to a tier's app environment.
 */
export interface EnvironmentSecretOptions {
  /**
   * Prefix for every variable from this secret, for example 'DB_' for an RDS credentials secret
   * (`DB_host`, `DB_password`, ...).
   *
   * @default '' (no prefix)
   */
  readonly prefix?: string;
}

/**
 * Builds the boot step that appends a secret's key/values to the app environment file, and
 * grants the role read access to that secret only. The value is fetched at boot: it never appears
 * in the template, the user data or the logs.
 * @internal
 */
export function environmentSecretStep(scope: IConstruct, grantee: iam.IGrantable, appUser: string, secret: secretsmanager.ISecret,
  options: EnvironmentSecretOptions, stepName: string, appPort?: number): BootStep {
  const prefix = options.prefix ?? '';
  if (!Token.isUnresolved(prefix) && !/^([A-Za-z_][A-Za-z0-9_]*)?$/.test(prefix)) {
    invalid(scope, 'CWT113', 'prefix', prefix, "Use letters, digits and underscores, starting with a letter or '_', for example 'DB_'.");
  }
  secret.grantRead(grantee);
  return {
    name: stepName,
    phase: BootPhase.FETCH_SECRETS,
    script: bootFile('app-env.sh'),
    // With an app port the tier owns PORT: a PORT key in the secret is skipped (and logged).
    environment: { SECRET_ARN: secret.secretArn, ENV_FILE: APP_ENV_FILE, APP_USER: appUser, ENV_PREFIX: prefix, APP_PORT: appPort === undefined ? '' : String(appPort) },
  };
}
