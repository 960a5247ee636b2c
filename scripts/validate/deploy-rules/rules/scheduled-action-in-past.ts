import { DeployRule, RuleHit, resourcesOf } from '../rule';

/**
 * A one-time scheduled action (StartTime, no Recurrence) whose start time has passed when the
 * check runs: "If you try to schedule your action in the past, Amazon EC2 Auto Scaling returns an
 * error message", so the deploy that creates (or changes) it fails.
 */
export const ScheduledActionInPast: DeployRule = {
  id: 'DeployRules-ScheduledActionInPast',
  level: 'error',
  document: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html',
  check: ({ stacks, now }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      for (const action of resourcesOf(stack.template, 'AWS::AutoScaling::ScheduledAction')) {
        const start = action.properties.StartTime;
        if (action.properties.Recurrence !== undefined || typeof start !== 'string') continue;
        const at = Date.parse(start);
        if (Number.isNaN(at) || at > now.getTime()) continue;
        hits.push({
          stack,
          logicalId: action.logicalId,
          message: `One-time scheduled action with StartTime ${start}, which has passed (checked at ${now.toISOString()}): ` +
            '"If you try to schedule your action in the past, Amazon EC2 Auto Scaling returns an error message". Fix: remove the action or give it a future time.',
        });
      }
    }
    return hits;
  },
};
