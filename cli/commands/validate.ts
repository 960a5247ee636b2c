import { CliCommand } from '../command';
import { validate } from '../../scripts/validate';

/** `cdk-web-tiers validate`: the seven security validators over a cloud assembly or the example app (see scripts/validate.ts). */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'run cdk-nag (4 packs), cfn-guard with the Control Tower rules, cfn-lint and checkov over a CDK app',
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
    'Exit codes: 0 clean, 1 unacknowledged findings or acknowledgement problems, 2 a tool could not run.',
  ].join('\n'),
  run: (args) => validate(args),
};
