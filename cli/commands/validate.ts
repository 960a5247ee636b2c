import { CliCommand } from '../command';
import { validate } from '../../scripts/validate';

/** `cdk-web-tiers validate`: the eight validators over a cloud assembly or the example app (see scripts/validate.ts). */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'run cdk-nag (4 packs), cfn-guard with the Control Tower rules, cfn-lint, checkov and the deploy-rules pack over a CDK app',
  usage: [
    'Usage: cdk-web-tiers validate [<cdk.out>]',
    '       cdk-web-tiers validate [--app <module>] [--update-readme]   (in the cdk-web-tiers repository)',
    '',
    'Runs the validators on every stack of a synthesized CDK app: run `cdk synth` first and pass its output',
    'directory (default: ./cdk.out). cdk-nag reads each template through cloudformation-include and honours the',
    'acknowledgements your app wrote (Validations.of(scope).acknowledge, Findings.acknowledge); cfn-guard, cfn-lint',
    'and checkov read the templates and their Metadata suppressions. cfn-lint and checkov are installed on first',
    'use into a virtual environment under ~/.cache/cdk-web-tiers (needs Python >= 3.10; $CDK_WEB_TIERS_VENV to',
    'choose another place).',
    '',
    'In the cdk-web-tiers repository, without <cdk.out>, it synthesizes the app that <module> builds (it exports',
    'buildExamplesApp(props?: { outdir?: string }): App; default bin/app.ts) and checks the README table.',
    '',
    'Prints one row per stack (unacknowledged / acknowledged findings per validator) and every unacknowledged',
    'finding and acknowledgement problem (stale, or a reason shorter than 20 characters).',
    '',
    'Stacks of stages (and of a CDK pipeline\'s stages) are read from their nested assemblies: one row per stack, named by its',
    'path (Staging/Kwizly).',
    '',
    'deploy-rules is this package\'s own pack: what AWS refuses, or silently does wrong, at deploy time (warm pool on a',
    'Spot-capable group, warm pool without MaxGroupPreparedCapacity, more than 10 CloudWatch Logs resource policies per',
    'account and region, a one-time scheduled action in the past, user data over 16 KB, IAM database authentication',
    'without an rds-db:connect grant, instance type and image of different architectures, an ELB health check grace',
    'period shorter than the boot in the group\'s cdk-web-tiers:spike metadata). Acknowledge a finding with',
    'Findings.acknowledge(resource, reason, [\'DeployRules-<Rule>\']).',
    '',
    'Exit codes: 0 clean, 1 unacknowledged findings or acknowledgement problems, 2 a tool could not run or there is',
    'nothing to check (no stack in the assembly).',
  ].join('\n'),
  run: async (args, io) => {
    try {
      return await validate(args);
    } catch (e) {
      // The README's contract: 2 when a tool (or the assembly) could not be read, never 1 (which means findings).
      io.err(`cdk-web-tiers validate: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
  },
};
