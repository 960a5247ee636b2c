/** Building and synthesizing the app, and what the template-level validators need from it. */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ACKNOWLEDGEMENT_REASONS_METADATA_KEY, DEPLOY_RULES_METADATA_KEY } from '../../lib/common/acknowledge';
import { CfnTemplate, StackInfo, arr, obj } from './model';

/** The interface bin/app.ts provides. */
export interface ExamplesAppModule {
  buildExamplesApp(props?: { outdir?: string }): App;
}

/** Load `buildExamplesApp` from a module (bin/app.ts by default). */
export function loadAppBuilder(modulePath: string): ExamplesAppModule['buildExamplesApp'] {
  let mod: Partial<ExamplesAppModule>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modulePath) as Partial<ExamplesAppModule>;
  } catch (e) {
    throw new Error(`cannot load ${modulePath}: ${(e as Error).message}`, { cause: e });
  }
  if (typeof mod.buildExamplesApp !== 'function') {
    throw new Error(`${modulePath} must export function buildExamplesApp(props?: { outdir?: string }): cdk.App`);
  }
  return mod.buildExamplesApp;
}

/** Synthesize `app` and describe each stack of the assembly (stages included). */
export function synthesizeStacks(app: App): StackInfo[] {
  const assembly = app.synth();
  const constructPaths = logicalIdsByStack(app);
  return assembly.stacksRecursively.map((artifact) => {
    const name = artifact.hierarchicalId;
    return {
      name,
      templateFile: artifact.templateFullPath,
      template: JSON.parse(fs.readFileSync(artifact.templateFullPath, 'utf-8')) as CfnTemplate,
      constructPaths: constructPaths.get(name) ?? new Map<string, string>(),
      environment: `aws://${artifact.environment.account}/${artifact.environment.region}`,
    };
  });
}

/** stack construct path -> (logical id -> construct path), for every CfnResource of a top-level (non-nested) stack. */
function logicalIdsByStack(root: IConstruct): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  for (const construct of root.node.findAll()) {
    if (!CfnResource.isCfnResource(construct)) {
      continue;
    }
    const stack = Stack.of(construct);
    if (stack.nested) {
      continue;
    }
    const logicalId = stack.resolve(construct.logicalId);
    if (typeof logicalId !== 'string') {
      continue;
    }
    let byId = result.get(stack.node.path);
    if (!byId) {
      byId = new Map();
      result.set(stack.node.path, byId);
    }
    byId.set(logicalId, construct.node.path);
  }
  return result;
}

/** Template metadata keys through which cfn-guard, cfn-lint and checkov findings are acknowledged. */
export const TEMPLATE_ACK_KEYS = ['guard', 'cfn-lint', 'checkov'] as const;
export type TemplateTool = 'cfn-guard' | 'cfn-lint' | 'checkov' | 'deploy-rules';

/**
 * Write a copy of every template with the acknowledgement metadata of all three template-level
 * tools removed (resource `Metadata.guard`, `Metadata.cfn-lint`, `Metadata.checkov`, and the
 * template-level `Metadata.cfn-lint`). Running a tool on both copies tells which findings its own
 * suppression mechanism hid. Returns bare file -> stack.
 */
export function writeBareTemplates(stacks: readonly StackInfo[], dir: string): Map<string, StackInfo> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map<string, StackInfo>();
  stacks.forEach((stack, index) => {
    const template = JSON.parse(JSON.stringify(stack.template)) as { Metadata?: Record<string, unknown>; Resources?: Record<string, { Metadata?: Record<string, unknown> }> };
    if (template.Metadata) {
      delete template.Metadata['cfn-lint'];
    }
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Metadata) {
        for (const key of TEMPLATE_ACK_KEYS) {
          delete resource.Metadata[key];
        }
      }
    }
    const file = path.join(dir, `${index}-${stack.name.replace(/[^A-Za-z0-9_-]+/g, '_')}.template.json`);
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    files.set(path.resolve(file), stack);
  });
  return files;
}

/** One acknowledgement found in a synthesized template. */
export interface TemplateAck {
  readonly tool: TemplateTool;
  readonly stack: StackInfo;
  /** '' for a template-level acknowledgement. */
  readonly logicalId: string;
  readonly id: string;
  readonly reason: string | undefined;
}

/** Every cfn-guard / cfn-lint / checkov / deploy-rules acknowledgement written in the stacks' templates. */
export function templateAcks(stacks: readonly StackInfo[]): TemplateAck[] {
  const acks: TemplateAck[] = [];
  for (const stack of stacks) {
    const scopes: Array<[string, Record<string, unknown>]> = [['', obj(stack.template.Metadata)]];
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      scopes.push([logicalId, obj(resource.Metadata)]);
    }
    for (const [logicalId, metadata] of scopes) {
      const reasons = obj(metadata[ACKNOWLEDGEMENT_REASONS_METADATA_KEY]);
      const reasonOf = (tool: TemplateTool, id: string): string | undefined => {
        const r = obj(reasons[tool])[id];
        return typeof r === 'string' ? r : undefined;
      };
      if (logicalId !== '') {
        for (const id of arr(obj(metadata.guard).SuppressedRules)) {
          acks.push({ tool: 'cfn-guard', stack, logicalId, id: String(id), reason: reasonOf('cfn-guard', String(id)) });
        }
        for (const id of arr(obj(metadata[DEPLOY_RULES_METADATA_KEY]).acknowledged)) {
          acks.push({ tool: 'deploy-rules', stack, logicalId, id: String(id), reason: reasonOf('deploy-rules', String(id)) });
        }
        for (const skip of arr(obj(metadata.checkov).skip)) {
          const s = obj(skip);
          acks.push({ tool: 'checkov', stack, logicalId, id: String(s.id), reason: typeof s.comment === 'string' ? s.comment : undefined });
        }
      }
      for (const id of arr(obj(obj(metadata['cfn-lint']).config).ignore_checks)) {
        acks.push({ tool: 'cfn-lint', stack, logicalId, id: String(id), reason: reasonOf('cfn-lint', String(id)) });
      }
    }
  }
  return acks;
}

/** Construct path of a logical id, for display. */
export function constructPathOf(stack: StackInfo, logicalId: string): string {
  return logicalId === '' ? '' : stack.constructPaths.get(logicalId) ?? '';
}
