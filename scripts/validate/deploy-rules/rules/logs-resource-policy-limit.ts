import { DeployRule, RuleHit, resourcesOf } from '../rule';
import { StackInfo } from '../../model';

/** "An account can have up to 10 resource policies per AWS Region." */
export const LOGS_RESOURCE_POLICIES_PER_REGION = 10;

/**
 * More than 10 `AWS::Logs::ResourcePolicy` resources in one account and region, counted across
 * every stack of the assembly (stages included): "An account can have up to 10 resource policies
 * per AWS Region", so the deploy that creates the 11th fails (and policies created outside the
 * assembly, including those AWS creates for vended log deliveries, count too). Stacks are grouped
 * by the environment the assembly gives them; environment-agnostic stacks (unknown account or
 * region) are counted together, as if deployed to one place. For vended logs (CloudWatch Logs
 * deliveries, WAF, ALB access logs), AWS "creates or changes the resource policies associated with
 * the log group receiving the logs, if needed": no policy of your own is needed.
 */
export const LogsResourcePolicyLimit: DeployRule = {
  id: 'DeployRules-LogsResourcePolicyLimit',
  level: 'error',
  document: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html',
  check: ({ stacks }) => {
    const byEnvironment = new Map<string, Array<{ stack: StackInfo; logicalId: string }>>();
    for (const stack of stacks) {
      const environment = stack.environment ?? 'aws://unknown-account/unknown-region';
      for (const policy of resourcesOf(stack.template, 'AWS::Logs::ResourcePolicy')) {
        byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), { stack, logicalId: policy.logicalId }]);
      }
    }
    const hits: RuleHit[] = [];
    for (const [environment, policies] of byEnvironment) {
      if (policies.length <= LOGS_RESOURCE_POLICIES_PER_REGION) continue;
      const stackNames = [...new Set(policies.map((p) => p.stack.name))].join(', ');
      for (const { stack, logicalId } of policies) {
        hits.push({
          stack,
          logicalId,
          message: `${policies.length} AWS::Logs::ResourcePolicy resources in ${environment} (stacks ${stackNames}): "An account can have up to 10 resource policies per AWS Region", ` +
            'so the deploy that creates the 11th fails. Fix: share one policy per account and region, or drop the policies that vended log delivery makes unnecessary.',
        });
      }
    }
    return hits;
  },
};
