import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The instances' role as a grant target whose statements land in a customer managed policy
 * instead of the role's inline default policy (NIST 800-53, HIPAA and PCI packs reject inline
 * policies). Every grant of the library goes through it; `role` stays available as an escape hatch.
 */
export class ManagedPolicyPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(private readonly role: iam.IRole, private readonly policy: iam.ManagedPolicy) {}

  public get assumeRoleAction(): string {
    return this.role.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }
}
