import { DeployRule, RuleHit, TemplateResource, launchTemplateOf, refOf, resourcesOf } from '../rule';
import { CfnTemplate, StackInfo, arr, obj } from '../../model';

type Arch = 'arm64' | 'x86_64';

/**
 * An instance type whose CPU architecture does not match its image, where the template tells the
 * image's architecture: an SSM parameter name (a stack parameter's default, or `{{resolve:ssm:...}}`)
 * that says arm64/aarch64 or x86_64/amd64, as AWS's public image parameters do
 * (`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`). EC2 refuses the launch
 * ("The architecture 'arm64' of the specified instance type does not match the architecture
 * 'x86_64' of the specified AMI"), at launch time: for a launch template the group's scaling
 * activities fail and the stack rolls back. An instance type is arm64 when its family has a `g`
 * after the generation (t4g, m7g, c7gn, r8gd, x2gd, im4gn) or is a1. Checked: launch templates
 * (their own type and the overrides of the groups that use them) and instances.
 */
export const ImageArchitecture: DeployRule = {
  id: 'DeployRules-ImageArchitecture',
  level: 'error',
  document: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ComponentsAMIs.html',
  check: ({ stacks }) => {
    const hits: RuleHit[] = [];
    for (const stack of stacks) {
      const t = stack.template;
      for (const lt of resourcesOf(t, 'AWS::EC2::LaunchTemplate')) {
        const data = obj(lt.properties.LaunchTemplateData);
        check(hits, stack, lt.logicalId, data.InstanceType, data.ImageId, t);
      }
      for (const instance of resourcesOf(t, 'AWS::EC2::Instance')) {
        check(hits, stack, instance.logicalId, instance.properties.InstanceType, instance.properties.ImageId, t);
      }
      for (const group of resourcesOf(t, 'AWS::AutoScaling::AutoScalingGroup')) {
        const launch = obj(obj(group.properties.MixedInstancesPolicy).LaunchTemplate);
        const base = launchTemplateOf(t, launch.LaunchTemplateSpecification);
        for (const override of arr(launch.Overrides).map(obj)) {
          const lt: TemplateResource | undefined = override.LaunchTemplateSpecification ? launchTemplateOf(t, override.LaunchTemplateSpecification) : base;
          if (lt) check(hits, stack, group.logicalId, override.InstanceType, obj(lt.properties.LaunchTemplateData).ImageId, t, ` (override of ${lt.logicalId})`);
        }
      }
    }
    return hits;
  },
};

function check(hits: RuleHit[], stack: StackInfo, logicalId: string, instanceType: unknown, imageId: unknown, template: CfnTemplate, where = ''): void {
  if (typeof instanceType !== 'string') return;
  const image = imageArchitecture(template, imageId);
  if (!image) return;
  const instance = instanceArchitecture(instanceType);
  if (instance === image.arch) return;
  hits.push({
    stack,
    logicalId,
    message: `Instance type ${instanceType}${where} is ${instance}, its image ${image.source} is ${image.arch}: EC2 refuses the launch ("The architecture '${instance}' of the ` +
      `specified instance type does not match the architecture '${image.arch}' of the specified AMI"). Fix: choose an ${image.arch} instance type or the ${instance} image.`,
  });
}

/** arm64 for Graviton families (a `g` after the generation digit, or a1), x86_64 otherwise. */
export function instanceArchitecture(instanceType: string): Arch {
  const family = instanceType.split('.')[0].toLowerCase();
  const suffix = /^[a-z]+\d+([a-z-]*)/.exec(family)?.[1] ?? '';
  return family === 'a1' || suffix.startsWith('g') ? 'arm64' : 'x86_64';
}

/** The architecture an image id's SSM parameter name tells, or undefined when the template does not say. */
export function imageArchitecture(template: CfnTemplate, imageId: unknown): { arch: Arch; source: string } | undefined {
  let name: string | undefined;
  const ref = refOf(imageId);
  if (ref) {
    const parameter = obj(template.Parameters?.[ref]);
    if (typeof parameter.Default === 'string' && String(parameter.Type).startsWith('AWS::SSM::Parameter::Value')) name = parameter.Default;
  } else if (typeof imageId === 'string') {
    name = /^\{\{resolve:ssm:([^:}]+)/.exec(imageId)?.[1];
  }
  if (!name) return undefined;
  if (/(arm64|aarch64)/i.test(name)) return { arch: 'arm64', source: name };
  if (/(x86_64|amd64)/i.test(name)) return { arch: 'x86_64', source: name };
  return undefined;
}
