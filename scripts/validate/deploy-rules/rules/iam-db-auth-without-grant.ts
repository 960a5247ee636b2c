import { DeployRule, RuleHit, allowStatements, isTrue, mentions, resourcesOf } from '../rule';
import { StackInfo } from '../../model';

/**
 * IAM database authentication turned on, and no IAM policy in the assembly allows `rds-db:connect`
 * on that database: nobody can use it. The service authorization reference for Amazon RDS IAM
 * Authentication lists one action, `connect`, which "Allows IAM role or user to connect to RDS
 * database", on the resource `arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}`. A warning: the grant may live
 * outside the app (a role of another account or stack); acknowledge it there with the reason.
 * A grant counts when an Allow statement's actions cover rds-db:connect (rds-db:*, *) and its
 * resources refer to the database (Ref / GetAtt of its logical id in the same stack) or are a
 * literal `rds-db` ARN or `*`.
 */
export const IamDbAuthWithoutGrant: DeployRule = {
  id: 'DeployRules-IamDbAuthWithoutGrant',
  level: 'warning',
  document: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrdsiamauthentication.html',
  check: ({ stacks }) => {
    const grants = stacks.flatMap((stack) => allowStatements(stack.template)
      .filter(({ statement }) => ([] as unknown[]).concat(statement.Action ?? []).some((a) => typeof a === 'string' && /^(\*|rds-db:\*|rds-db:connect)$/i.test(a)))
      .map(({ statement }) => ({ stack, resources: ([] as unknown[]).concat(statement.Resource ?? []) })));
    const granted = (stack: StackInfo, logicalId: string): boolean => grants.some((g) =>
      g.resources.some((r) => (g.stack === stack && mentions(r, logicalId)) || (typeof r === 'string' && (r === '*' || r.includes(':rds-db:')))));
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      for (const db of resourcesOf(stack.template, 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster')) {
        if (!isTrue(db.properties.EnableIAMDatabaseAuthentication)) continue;
        if (db.type === 'AWS::RDS::DBInstance' && db.properties.DBClusterIdentifier !== undefined) continue; // the cluster decides
        if (granted(stack, db.logicalId)) continue;
        hits.push({
          stack,
          logicalId: db.logicalId,
          message: `${db.type} with EnableIAMDatabaseAuthentication, and no IAM policy in the assembly allows rds-db:connect on it: ` +
            'IAM authentication needs rds-db:connect, which "Allows IAM role or user to connect to RDS database". ' +
            `Fix: grant it to the app's role (CDK: database.grantConnect(role, 'db_user')), or turn IAM authentication off.`,
        });
      }
    }
    return hits;
  },
};

