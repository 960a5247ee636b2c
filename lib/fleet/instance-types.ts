import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { invalid } from '../common/validation';

/**
 * Same-size siblings from the other vendor of the same architecture (Intel ↔ AMD, Graviton
 * generations), for the sizes both families are sold in. A fleet that can launch either keeps
 * scaling when one type runs short in a zone.
 */
const SIBLING_FAMILIES: Record<string, { family: string; sizes: RegExp }> = {
  't3': { family: 't3a', sizes: /^(nano|micro|small|medium|large|xlarge|2xlarge)$/ },
  't3a': { family: 't3', sizes: /^(nano|micro|small|medium|large|xlarge|2xlarge)$/ },
  'm5': { family: 'm5a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)$/ },
  'm5a': { family: 'm5', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)$/ },
  'c5': { family: 'c5a', sizes: /^(large|xlarge|2xlarge|4xlarge|12xlarge|24xlarge)$/ },
  'c5a': { family: 'c5', sizes: /^(large|xlarge|2xlarge|4xlarge|12xlarge|24xlarge)$/ },
  'r5': { family: 'r5a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)$/ },
  'r5a': { family: 'r5', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)$/ },
  'm6i': { family: 'm6a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'm6a': { family: 'm6i', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'c6i': { family: 'c6a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'c6a': { family: 'c6i', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'r6i': { family: 'r6a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'r6a': { family: 'r6i', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|32xlarge)$/ },
  'm7i': { family: 'm7a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|48xlarge)$/ },
  'm7a': { family: 'm7i', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|48xlarge)$/ },
  'c7i': { family: 'c7a', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|48xlarge)$/ },
  'c7a': { family: 'c7i', sizes: /^(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge|48xlarge)$/ },
  'm6g': { family: 'm7g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
  'm7g': { family: 'm6g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
  'c6g': { family: 'c7g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
  'c7g': { family: 'c6g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
  'r6g': { family: 'r7g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
  'r7g': { family: 'r6g', sizes: /^(medium|large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge)$/ },
};

/** The same-size sibling of an instance type, when one is known. */
export function siblingInstanceType(instanceType: ec2.InstanceType): ec2.InstanceType | undefined {
  const [family, size] = instanceType.toString().split('.');
  const sibling = SIBLING_FAMILIES[family];
  return sibling && sibling.sizes.test(size) ? new ec2.InstanceType(`${sibling.family}.${size}`) : undefined;
}

/**
 * The instance types a fleet may launch, in priority order: the primary, then the fallbacks
 * (given, or the known sibling). Every type must share the primary's architecture (one image).
 */
export function resolveInstanceTypes(scope: IConstruct, primary: ec2.InstanceType, fallbacks: ec2.InstanceType[] | undefined): ec2.InstanceType[] {
  const chosen = fallbacks ?? [siblingInstanceType(primary)].filter((t): t is ec2.InstanceType => t !== undefined);
  const seen = new Set([primary.toString()]);
  for (const fallback of chosen) {
    if (fallback.architecture !== primary.architecture) {
      invalid(scope, 'CWT137', 'fallbackInstanceTypes', fallback.toString(),
        `It is ${fallback.architecture} but instanceType ${primary} is ${primary.architecture}: every instance type of a tier boots the same image, so use ${primary.architecture} types only.`);
    }
    if (seen.has(fallback.toString())) {
      invalid(scope, 'CWT138', 'fallbackInstanceTypes', fallback.toString(), 'It is listed twice (or equals instanceType): list each type once.');
    }
    seen.add(fallback.toString());
  }
  return [primary, ...chosen];
}

/**
 * Families of the same architecture whose sizes match vCPU for vCPU and memory for memory, for
 * Spot diversification: a Spot fleet should be able to use at least three pools per zone.
 */
const SPOT_FAMILY_GROUPS: string[][] = [
  ['m5', 'm5a', 'm6i', 'm6a', 'm7i', 'm7a'],
  ['c5', 'c5a', 'c6i', 'c6a', 'c7i', 'c7a'],
  ['r5', 'r5a', 'r6i', 'r6a', 'r7i', 'r7a'],
  ['m6g', 'm7g', 'm8g'],
  ['c6g', 'c7g', 'c8g'],
  ['r6g', 'r7g', 'r8g'],
];

/**
 * The instance types of a fleet with Spot above its baseline: the given ones, completed to at
 * least three families of the same size when the family is known; fewer than three is refused.
 */
export function resolveSpotInstanceTypes(scope: IConstruct, primary: ec2.InstanceType, fallbacks: ec2.InstanceType[] | undefined): ec2.InstanceType[] {
  const types = resolveInstanceTypes(scope, primary, fallbacks);
  if (fallbacks === undefined) {
    const [family, size] = primary.toString().split('.');
    const group = SPOT_FAMILY_GROUPS.find(g => g.includes(family));
    // Large and up exist in every family of a group; smaller sizes only in some.
    if (group && /^(large|\d*xlarge)$/.test(size)) {
      for (const other of group) {
        const candidate = `${other}.${size}`;
        if (!types.some(t => t.toString() === candidate)) types.push(new ec2.InstanceType(candidate));
        if (types.length >= 4) break;
      }
    }
  }
  const families = new Set(types.map(t => t.toString().split('.')[0]));
  if (families.size < 3) {
    invalid(scope, 'CWT139', 'capacity.baseline', 'Spot above the baseline',
      `Spot needs at least three same-size instance types of different families to stay available, and ${types.join(', ')} ${types.length === 1 ? 'is' : 'are'} all it can use: ` +
      'pass fallbackInstanceTypes with two or more types of the same size (for example m6i.large, m6a.large, m7i.large), or choose a larger general purpose type such as m7i.large.');
  }
  return types;
}
