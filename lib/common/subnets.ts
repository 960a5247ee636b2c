import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * Subnets for a data store: isolated subnets when the VPC has them (TierNetwork does), otherwise
 * private subnets with egress. Never public.
 */
export function dataSubnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined): ec2.SubnetSelection {
  if (selection) return selection;
  return vpc.isolatedSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
    : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/** A boot-step-safe slug of a construct id ("Uploads" → "uploads"). */
export function slug(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'x';
}
