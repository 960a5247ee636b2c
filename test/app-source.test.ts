/**
 * AppSource.fromMachineImage: the Packer → SSM parameter → deploy flow, and the architecture check.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { AppSource, SingletonWorker, StatelessWebTier } from '../lib';
import { AMI, launchTemplateSpecOf, logicalIdOf, newStack, resource, testCertificate, testImage, testSource, testVpc } from './helpers';

describe('AppSource.fromMachineImage', () => {
  test('an SSM parameter image becomes a template parameter that the launch template references', () => {
    const stack = newStack();
    const web = new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: AppSource.fromMachineImage(ec2.MachineImage.fromSsmParameter('/my-app/web/ami')),
      certificate: testCertificate(stack),
    });
    const template = Template.fromStack(stack);
    const parameters = template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/my-app/web/ami' });
    const names = Object.keys(parameters);
    expect(names).toHaveLength(1);
    const lt = resource(template, logicalIdOf(web.launchTemplate));
    expect(lt.Properties!.LaunchTemplateData.ImageId).toEqual({ Ref: names[0] });
    // A new AMI id in the parameter changes nothing in the template: the next deploy resolves it,
    // creates a new launch template version and the rolling update replaces the instances.
    const asg = resource(template, logicalIdOf(web.autoScalingGroup));
    expect(launchTemplateSpecOf(asg)).toEqual({
      LaunchTemplateId: { Ref: logicalIdOf(web.launchTemplate) },
      Version: { 'Fn::GetAtt': [logicalIdOf(web.launchTemplate), 'LatestVersionNumber'] },
    });
    expect(asg.UpdatePolicy!.AutoScalingRollingUpdate.WaitOnResourceSignals).toBe(true);
  });

  test('a fixed image id goes into the launch template as is', () => {
    const stack = newStack();
    const worker = new SingletonWorker(stack, 'Worker', { vpc: testVpc(stack), source: testSource(), healthCommand: 'true' });
    const lt = resource(Template.fromStack(stack), logicalIdOf(worker.launchTemplate));
    expect(lt.Properties!.LaunchTemplateData.ImageId).toBe(AMI);
  });

  test('an image declared x86_64 on an ARM instance type fails, naming instanceType', () => {
    const stack = newStack();
    expect(() => new StatelessWebTier(stack, 'Web', {
      vpc: testVpc(stack),
      source: AppSource.fromMachineImage(testImage(), { architecture: ec2.InstanceArchitecture.X86_64 }),
      certificate: testCertificate(stack),
      instanceType: new ec2.InstanceType('t4g.small'),
    })).toThrow(/Test\/Web\S*: invalid instanceType \("t4g\.small"\)\. It is an arm64 instance type but the source image is built for x86_64/);
  });

  test('an image declared ARM on an x86 worker fails too', () => {
    const stack = newStack();
    expect(() => new SingletonWorker(stack, 'Worker', {
      vpc: testVpc(stack),
      source: AppSource.fromMachineImage(testImage(), { architecture: ec2.InstanceArchitecture.ARM_64 }),
      healthCommand: 'true',
    })).toThrow(/invalid instanceType \("t3\.small"\).*built for arm64/);
  });

  test('matching architectures are accepted', () => {
    const stack = newStack();
    const worker = new SingletonWorker(stack, 'Worker', {
      vpc: testVpc(stack),
      source: AppSource.fromMachineImage(testImage(), { architecture: ec2.InstanceArchitecture.ARM_64 }),
      instanceType: new ec2.InstanceType('t4g.small'),
      healthCommand: 'true',
    });
    const lt = resource(Template.fromStack(stack), logicalIdOf(worker.launchTemplate));
    expect(lt.Properties!.LaunchTemplateData.InstanceType).toBe('t4g.small');
  });
});
