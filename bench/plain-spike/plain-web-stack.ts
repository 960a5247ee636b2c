import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A web tier as users write it with plain aws-cdk-lib, following the aws-autoscaling and
 * elasticloadbalancingv2 READMEs: an Auto Scaling group of 2 to 30 instances with ELB health
 * checks, behind an Application Load Balancer, CPU target tracking at 50 %, no warm pool.
 * It imports nothing from this library: `npm run bench:spike` reads its synthesized template.
 */
export class PlainWebStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2 });

    const asg = new autoscaling.AutoScalingGroup(this, 'WebAsg', {
      vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      minCapacity: 2,
      maxCapacity: 30,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
    });

    const lb = new elbv2.ApplicationLoadBalancer(this, 'Lb', { vpc, internetFacing: true });
    const listener = lb.addListener('Http', { port: 80 });
    listener.addTargets('Web', {
      port: 8080,
      targets: [asg],
      healthCheck: { path: '/healthz' },
    });

    asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50 });
  }
}
