import { DeployRule, RuleHit, resourcesOf } from '../rule';
import { arr, obj } from '../../model';

/** "User data is limited to 16 KB, in raw form, before it is base64-encoded." */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/**
 * User data over 16 KB in a launch template, launch configuration or instance: "User data is
 * limited to 16 KB, in raw form, before it is base64-encoded". EC2 refuses it, for a launch
 * template only when an instance launches (the group's scaling activities fail, the stack waits
 * for signals and rolls back). The size counted is a lower bound: the literal text of the
 * template, with every Ref, Fn::GetAtt and other expression counted as empty.
 */
export const UserDataTooLarge: DeployRule = {
  id: 'DeployRules-UserDataTooLarge',
  level: 'error',
  document: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html',
  check: ({ stacks }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      const sources = [
        ...resourcesOf(stack.template, 'AWS::EC2::LaunchTemplate').map((r) => ({ r, userData: obj(r.properties.LaunchTemplateData).UserData })),
        ...resourcesOf(stack.template, 'AWS::AutoScaling::LaunchConfiguration', 'AWS::EC2::Instance').map((r) => ({ r, userData: r.properties.UserData })),
      ];
      for (const { r, userData } of sources) {
        if (userData === undefined) continue;
        const bytes = rawUserDataBytes(userData);
        if (bytes <= USER_DATA_LIMIT_BYTES) continue;
        hits.push({
          stack,
          logicalId: r.logicalId,
          message: `User data of at least ${bytes} bytes (limit ${USER_DATA_LIMIT_BYTES}): "User data is limited to 16 KB, in raw form, before it is base64-encoded"; ` +
            'EC2 refuses the launch. Fix: move the scripts to an S3 asset or the image and keep a short bootstrap in user data.',
        });
      }
    }
    return hits;
  },
};

/** Lower bound of the raw (decoded) size of a UserData value. */
export function rawUserDataBytes(userData: unknown): number {
  const base64 = obj(userData)['Fn::Base64'];
  if (base64 !== undefined) return literalBytes(base64);
  // A literal UserData is already base64.
  if (typeof userData === 'string') return Buffer.from(userData, 'base64').length;
  return 0;
}

/** Bytes of the literal parts of a CloudFormation string expression. */
function literalBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf-8');
  const o = obj(value);
  const join = o['Fn::Join'];
  if (Array.isArray(join) && join.length === 2) {
    const parts = arr(join[1]);
    return parts.reduce<number>((n, p) => n + literalBytes(p), 0) + Buffer.byteLength(String(join[0]), 'utf-8') * Math.max(0, parts.length - 1);
  }
  const sub = o['Fn::Sub'];
  if (sub !== undefined) {
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : '';
    return Buffer.byteLength(text.replace(/\$\{[^!][^}]*\}/g, ''), 'utf-8');
  }
  return 0;
}
