// Renders a launch template's user data from a synthesized template, the way CloudFormation and
// EC2 would: every intrinsic resolved with the lab's values, Fn::Base64 decoded as EC2 hands the
// script to cloud-init. Nothing of the script is kept by hand.

export interface RenderContext {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  /** `Ref` of resources: logical id → value. Unlisted resources render as `lab-<LogicalId>`. */
  readonly refs?: Record<string, string>;
  /** `Fn::GetAtt`: `LogicalId.Attribute` → value. */
  readonly attributes?: Record<string, string>;
  /** Values of the template's parameters. */
  readonly parameters?: Record<string, string>;
}

type Template = { Resources: Record<string, { Type: string; Properties?: any }>; Parameters?: Record<string, any> };

const PSEUDO = (ctx: RenderContext): Record<string, string> => ({
  'AWS::Region': ctx.region,
  'AWS::AccountId': ctx.account,
  'AWS::StackName': ctx.stackName,
  'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${ctx.stackName}/00000000-0000-4000-8000-000000000000`,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
});

function ref(name: string, template: Template, ctx: RenderContext): string {
  const pseudo = PSEUDO(ctx);
  if (name in pseudo) return pseudo[name];
  if (ctx.parameters && name in ctx.parameters) return ctx.parameters[name];
  if (ctx.refs && name in ctx.refs) return ctx.refs[name];
  if (template.Parameters?.[name]?.Default !== undefined) return String(template.Parameters[name].Default);
  if (template.Resources[name]) return `lab-${name}`;
  throw new Error(`render-user-data: Ref to ${name}, which is neither a parameter nor a resource`);
}

function getAtt(id: string, attribute: string, template: Template, ctx: RenderContext): string {
  const key = `${id}.${attribute}`;
  if (ctx.attributes && key in ctx.attributes) return ctx.attributes[key];
  if (!template.Resources[id]) throw new Error(`render-user-data: Fn::GetAtt of ${id}, which is not a resource`);
  throw new Error(`render-user-data: give the lab a value for Fn::GetAtt ${key}`);
}

/** Resolves the intrinsic functions in `value`. */
export function resolve(value: any, template: Template, ctx: RenderContext): any {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(v => resolve(v, template, ctx));
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [fn] = keys;
    const arg = value[fn];
    switch (fn) {
      case 'Ref': return ref(arg, template, ctx);
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
        return getAtt(id, attribute, template, ctx);
      }
      case 'Fn::Base64': return resolve(arg, template, ctx);
      case 'Fn::Join': {
        const [sep, list] = arg;
        return (resolve(list, template, ctx) as string[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = resolve(arg, template, ctx);
        return list[Number(index)];
      }
      case 'Fn::Split': {
        const [sep, source] = resolve(arg, template, ctx);
        return String(source).split(sep);
      }
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? [arg[0], resolve(arg[1] ?? {}, template, ctx)] : [arg, {}];
        return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_m: string, name: string) => {
          if (name in vars) return vars[name];
          if (name.includes('.')) {
            const [id, attribute] = name.split(/\.(.+)/);
            return getAtt(id, attribute, template, ctx);
          }
          return ref(name, template, ctx);
        }).replace(/\$\{!/g, '${');
      }
      case 'Fn::If':
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
      case 'Fn::FindInMap':
        throw new Error(`render-user-data: ${fn} is not supported by the lab`);
      default:
        break;
    }
  }
  const out: Record<string, any> = {};
  for (const k of keys) out[k] = resolve(value[k], template, ctx);
  return out;
}

/** Logical ids of the template's launch templates. */
export function launchTemplates(template: Template): string[] {
  return Object.keys(template.Resources).filter(id => template.Resources[id].Type === 'AWS::EC2::LaunchTemplate');
}

/** The user data script of a launch template, as the instance receives it. */
export function renderUserData(template: Template, launchTemplateId: string, ctx: RenderContext): string {
  const lt = template.Resources[launchTemplateId];
  if (lt?.Type !== 'AWS::EC2::LaunchTemplate') throw new Error(`render-user-data: ${launchTemplateId} is not a launch template`);
  const userData = lt.Properties?.LaunchTemplateData?.UserData;
  if (!userData?.['Fn::Base64']) throw new Error(`render-user-data: ${launchTemplateId} has no Fn::Base64 user data`);
  const script = resolve(userData, template, ctx);
  if (typeof script !== 'string') throw new Error('render-user-data: the user data did not resolve to a string');
  return script;
}
