import { DeployRule, RuleHit, groupNamedBy, literalNumber, resourcesOf } from '../rule';

/**
 * A warm pool without MaxGroupPreparedCapacity: "If a value for MaxGroupPreparedCapacity is not
 * specified, Amazon EC2 Auto Scaling launches and maintains the difference between the group's
 * maximum capacity and its desired capacity." A group with room to burst (max 40, desired 2) then
 * keeps 38 instances in the pool, with their volumes (and, for a running pool, their hours) paid.
 * A warning: AWS accepts it; size the pool on purpose.
 */
export const WarmPoolUnbounded: DeployRule = {
  id: 'DeployRules-WarmPoolUnbounded',
  level: 'warning',
  document: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-autoscaling-warmpool.html',
  check: ({ stacks }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      for (const pool of resourcesOf(stack.template, 'AWS::AutoScaling::WarmPool')) {
        const prepared = pool.properties.MaxGroupPreparedCapacity;
        if (prepared !== undefined && literalNumber(prepared) !== -1) continue;
        const group = groupNamedBy(stack.template, pool.properties.AutoScalingGroupName);
        const max = literalNumber(group?.properties.MaxSize);
        const desired = literalNumber(group?.properties.DesiredCapacity) ?? literalNumber(group?.properties.MinSize);
        const size = max !== undefined && desired !== undefined ? ` (here MaxSize ${max} − desired ${desired} = ${max - desired} instances)` : '';
        hits.push({
          stack,
          logicalId: pool.logicalId,
          message: `Warm pool without MaxGroupPreparedCapacity: "Amazon EC2 Auto Scaling launches and maintains the difference between the group's maximum capacity and its desired capacity"${size}. ` +
            'Fix: set MaxGroupPreparedCapacity (and MinSize) to the pool you mean to pay for.',
        });
      }
    }
    return hits;
  },
};
