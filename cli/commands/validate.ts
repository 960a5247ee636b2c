import { CliCommand } from '../command';
import { validate } from '../../scripts/validate';

/** `cdk-web-tiers validate`: the seven security validators over the example app (see scripts/validate.ts). */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'run cdk-nag (4 packs), cfn-guard with the Control Tower rules, cfn-lint and checkov over a CDK app',
  usage: [
    'Usage: cdk-web-tiers validate [--app <module>] [--update-readme]',
    '',
    'Synthesizes the app that <module> builds (it exports buildExamplesApp(props?: { outdir?: string }): App;',
    'default: this repository\'s bin/app.ts) and runs the validators on every stack. Prints one row per stack',
    '(unacknowledged / acknowledged findings per validator) and every unacknowledged finding.',
    '',
    'Exit codes: 0 clean, 1 unacknowledged findings or acknowledgement problems, 2 a tool could not run.',
  ].join('\n'),
  run: (args) => validate(args),
};
