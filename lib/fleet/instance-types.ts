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
      invalid(scope, 'fallbackInstanceTypes', fallback.toString(),
        `It is ${fallback.architecture} but instanceType ${primary} is ${primary.architecture}: every instance type of a tier boots the same image, so use ${primary.architecture} types only.`);
    }
    if (seen.has(fallback.toString())) {
      invalid(scope, 'fallbackInstanceTypes', fallback.toString(), 'It is listed twice (or equals instanceType): list each type once.');
    }
    seen.add(fallback.toString());
  }
  return [primary, ...chosen];
}
