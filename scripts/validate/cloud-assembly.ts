/**
 * `cdk-web-tiers validate <cdk.out>`: a user's synthesized cloud assembly as the validators need it.
 *
 * The template-level tools (cfn-guard, cfn-lint, checkov) read the templates as they are. cdk-nag
 * needs a construct tree: each template is loaded with `cloudformation-include` (`CfnInclude`,
 * logical ids preserved) into a stack of a scratch app, and the acknowledgements the user's app
 * wrote with `Validations.of(scope).acknowledge()` (or `Findings.acknowledge`) are read from the
 * assembly's construct metadata and put back on every included resource at or below the
 * acknowledged construct, which is what cdk-nag would have honoured on the original tree.
 * Findings are reported with the original construct paths.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { IConstruct } from 'constructs';
import { CfnTemplate, StackInfo, arr, obj } from './model';

const STACK_ARTIFACT = 'aws:cloudformation:stack';
const NESTED_ASSEMBLY_ARTIFACT = 'cdk:cloud-assembly';
const LOGICAL_ID = 'aws:cdk:logicalId';

interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

/** One stack artifact of the assembly. */
interface StackArtifact {
  /** Display name: the stack's construct path without the leading '/' (e.g. `Prod/Web`). */
  readonly name: string;
  readonly templateFile: string;
  /** Construct path (with leading '/') -> metadata entries. */
  readonly metadata: Record<string, MetadataEntry[]>;
  /** `aws://account/region` from the manifest. */
  readonly environment?: string;
}

/** Where an acknowledgement came from, so that copies on several resources count as one. */
export interface AckOrigin {
  readonly location: string;
  readonly stack: string;
}

/** The assembly loaded for validation. */
export interface LoadedAssembly {
  /** Scratch app whose stacks hold the included templates; cdk-nag runs on it. */
  readonly app: App;
  /** Stacks for cdk-nag: construct paths are those of the scratch app. */
  readonly nagStacks: StackInfo[];
  /** Stacks for the template tools: the user's templates and original construct paths. */
  readonly stacks: StackInfo[];
  /** Scratch construct path -> original construct path, for reporting. */
  readonly originalPath: Map<string, string>;
  /** (scratch construct path, rule id) of each copied acknowledgement -> where the user wrote it. */
  readonly ackOrigins: Map<string, AckOrigin>;
}

/** Key of an acknowledgement copy in {@link LoadedAssembly.ackOrigins}. */
export function ackOriginKey(constructPath: string, id: string): string {
  return `${constructPath}\u0000${id}`;
}

/** Reads `dir` (a cdk.out) and builds the scratch app; throws with a message naming what is wrong. */
export function loadCloudAssembly(dir: string, scratchOutdir: string): LoadedAssembly {
  const artifacts = stackArtifacts(path.resolve(dir));
  if (artifacts.length === 0) {
    throw new Error(`${dir} holds no CloudFormation stack (run \`cdk synth\` first; the directory is the one with manifest.json)`);
  }
  const app = new App({ outdir: scratchOutdir });
  const nagStacks: StackInfo[] = [];
  const stacks: StackInfo[] = [];
  const originalPath = new Map<string, string>();
  const ackOrigins = new Map<string, AckOrigin>();
  const usedIds = new Set<string>();

  for (const artifact of artifacts) {
    const template = JSON.parse(fs.readFileSync(artifact.templateFile, 'utf-8')) as CfnTemplate;
    let id = artifact.name.replace(/\//g, '.');
    while (usedIds.has(id)) id = `${id}_`;
    usedIds.add(id);
    // A stage's stack is named after its path (`Dev/Marathon` -> id `Dev.Marathon`), which is not a valid
    // stack name: give the scratch stack a name of its own (letters, digits and hyphens, at most 128).
    const stack = new Stack(app, id, { stackName: scratchStackName(id) });
    let include: CfnInclude;
    try {
      include = new CfnInclude(stack, 'Template', { templateFile: artifact.templateFile, preserveLogicalIds: true });
    } catch (e) {
      throw new Error(`cdk-nag needs the template of ${artifact.name} as a construct tree, and cloudformation-include could not read it: ${(e as Error).message}`, { cause: e });
    }

    // Original construct path of each logical id, from the assembly's metadata.
    const pathOfLogicalId = new Map<string, string>();
    for (const [constructPath, entries] of Object.entries(artifact.metadata)) {
      for (const entry of entries) {
        if (entry.type === LOGICAL_ID && typeof entry.data === 'string') {
          pathOfLogicalId.set(entry.data, constructPath.replace(/^\//, ''));
        }
      }
    }
    const scratchPaths = new Map<string, string>();
    const userPaths = new Map<string, string>();
    const resources = new Map<string, IConstruct>();
    for (const logicalId of Object.keys(template.Resources ?? {})) {
      const resource = include.getResource(logicalId);
      resources.set(logicalId, resource);
      scratchPaths.set(logicalId, resource.node.path);
      const original = pathOfLogicalId.get(logicalId) ?? `${artifact.name}/${logicalId}`;
      userPaths.set(logicalId, original);
      originalPath.set(resource.node.path, original);
    }

    // Acknowledgements: each one covers the resources at or below the construct it was written on.
    for (const [constructPath, entries] of Object.entries(artifact.metadata)) {
      const scope = constructPath.replace(/^\//, '');
      const covered = [...userPaths].filter(([, p]) => p === scope || p.startsWith(`${scope}/`)).map(([logicalId]) => logicalId);
      for (const entry of entries) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        const data = obj(entry.data);
        for (const logicalId of covered) {
          const resource = resources.get(logicalId)!;
          resource.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, data);
          for (const key of Object.keys(data)) {
            ackOrigins.set(ackOriginKey(resource.node.path, key.replace(/^annotation::/i, '')), { location: scope || '(app)', stack: artifact.name });
          }
        }
      }
    }

    const info = { name: artifact.name, templateFile: artifact.templateFile, template, environment: artifact.environment };
    stacks.push({ ...info, constructPaths: userPaths });
    nagStacks.push({ ...info, name: id, constructPaths: scratchPaths });
  }
  return { app, nagStacks, stacks, originalPath, ackOrigins };
}

/** Display names of every stack of the assembly in `dir`, nested assemblies (stages) included; throws when `dir` is no cloud assembly. */
export function assemblyStackNames(dir: string): string[] {
  return stackArtifacts(path.resolve(dir)).map((a) => a.name);
}

/** Every stack artifact of the assembly in `dir`, nested assemblies (stages) included. */
function stackArtifacts(dir: string): StackArtifact[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${dir} is not a cloud assembly: it has no manifest.json (run \`cdk synth\`, then pass its output directory, cdk.out by default)`);
  }
  const manifest = obj(JSON.parse(fs.readFileSync(manifestFile, 'utf-8')));
  const result: StackArtifact[] = [];
  for (const [artifactId, value] of Object.entries(obj(manifest.artifacts))) {
    const artifact = obj(value);
    const properties = obj(artifact.properties);
    if (artifact.type === NESTED_ASSEMBLY_ARTIFACT && typeof properties.directoryName === 'string') {
      result.push(...stackArtifacts(path.join(dir, properties.directoryName)));
    } else if (artifact.type === STACK_ARTIFACT && typeof properties.templateFile === 'string') {
      const metadata: Record<string, MetadataEntry[]> = {};
      const merge = (source: unknown) => {
        for (const [constructPath, entries] of Object.entries(obj(source))) {
          metadata[constructPath] = [...(metadata[constructPath] ?? []), ...(arr(entries) as MetadataEntry[])];
        }
      };
      merge(artifact.metadata);
      if (typeof artifact.additionalMetadataFile === 'string') {
        merge(JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf-8')));
      }
      const stackPath = Object.keys(metadata).map((p) => p.replace(/^\//, '')).find((p) => !p.includes('/'));
      const name = typeof artifact.displayName === 'string' ? artifact.displayName : stackPath ?? artifactId;
      const environment = typeof artifact.environment === 'string' ? artifact.environment : undefined;
      result.push({ name, templateFile: path.join(dir, properties.templateFile), metadata, environment });
    }
  }
  return result;
}

/** A valid CloudFormation stack name for the scratch stack of `id` ([A-Za-z][A-Za-z0-9-]*, at most 128 characters). */
export function scratchStackName(id: string): string {
  const name = id.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^[^A-Za-z]+/, '');
  return (name || 'Stack').slice(0, 128);
}
