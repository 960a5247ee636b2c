import { IConstruct } from 'constructs';
import { readConstructModel } from './construct-reader';
import { ScalingModel, SpikeModelOptions, validateScalingModel } from './model';
import { SpikeProfile } from './profile';
import { SpikeResult, SpikeRunOptions, simulate } from './simulator';
import { readTemplateModel } from './template-reader';

/**
 * A spike simulation of one Auto Scaling group: build it from a construct of the app, from a
 * synthesized template, or from a model, then `run` it against demand profiles.
 *
 * @exampleMetadata fixture=snippet
 * @example
 * const result = SpikeSimulation.of(web).run(SpikeProfile.tvAd({ factor: 15 }));
 * result.summary.minutesToAbsorb; // undefined when capacity never covers the spike
 */
export class SpikeSimulation {
  /**
   * The group of a construct: a `StatelessWebTier`, an `autoscaling.AutoScalingGroup`, or any
   * construct that holds exactly one Auto Scaling group. Reads the configuration as synthesis
   * writes it, so call it once the construct is complete (in a validation, or after the app is built).
   * A tier's declared `scaling.requestsPerSecondPerInstance` is the default per-instance capacity.
   */
  public static of(scope: IConstruct, options: SpikeModelOptions = {}): SpikeSimulation {
    // A StatelessWebTier that declares what one instance serves (scaling.requestsPerSecondPerInstance) says it here.
    const declared = (scope as { readonly requestsPerSecondPerInstance?: number }).requestsPerSecondPerInstance;
    return new SpikeSimulation(readConstructModel(scope, { requestsPerSecondPerInstance: declared, ...stripUndefined(options) }));
  }

  /**
   * A group of a synthesized CloudFormation template (`cdk.out/<Stack>.template.json`, parsed).
   *
   * @param template the template as parsed JSON
   * @param group the group's logical id, construct path, or the id of a construct on its path (a tier's id)
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON template (jsii: any)
  public static fromTemplate(template: any, group: string, options: SpikeModelOptions = {}): SpikeSimulation {
    return new SpikeSimulation(readTemplateModel(template, group, options));
  }

  /** A model written or adjusted by hand. */
  public static fromModel(model: ScalingModel): SpikeSimulation {
    validateScalingModel(model);
    return new SpikeSimulation(model);
  }

  /** The scaling configuration that runs simulate. */
  public readonly model: ScalingModel;

  private constructor(model: ScalingModel) {
    this.model = model;
  }

  /** Simulates the group against a demand profile. */
  public run(profile: SpikeProfile, options: SpikeRunOptions = {}): SpikeResult {
    return simulate(this.model, profile, options);
  }
}

function stripUndefined(options: SpikeModelOptions): SpikeModelOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
