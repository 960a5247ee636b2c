/**
 * BootScript (lib/fleet/boot-script.ts) rendering, and the bash it renders: every runtime/boot/*.sh
 * file and a fully rendered user data script go through shellcheck and `bash -n`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { BootScript } from '../lib/fleet/boot-script';
import { BootPhase, SingletonWorker, StatelessWebTier } from '../lib';
import { newStack, runSteps, testCertificate, testSource, testVpc, userDataOf } from './helpers';

const SHELLCHECK = '/usr/bin/shellcheck';
const BOOT_DIR = path.join(__dirname, '..', 'runtime', 'boot');
const HEREDOC_END = 'CDK_WEB_TIERS_STEP_END';

/** Runs bash on a script text and returns its stdout (fails the test on a non-zero exit). */
function bash(script: string): string {
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf-8' });
  if (result.status !== 0) throw new Error(`bash exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

function requireShellcheck(): void {
  if (!fs.existsSync(SHELLCHECK)) {
    throw new Error(`shellcheck is not installed at ${SHELLCHECK}: run \`apt-get install -y shellcheck\` (the boot scripts are checked with it).`);
  }
}

/** shellcheck -s bash -S warning and bash -n on a file; returns the findings as text ('' when clean). */
function lint(file: string): { shellcheck: string; syntax: string } {
  requireShellcheck();
  const sc = spawnSync(SHELLCHECK, ['-s', 'bash', '-S', 'warning', '-f', 'gcc', file], { encoding: 'utf-8' });
  if (sc.error) throw sc.error;
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf-8' });
  return {
    shellcheck: sc.status === 0 ? '' : `exit ${sc.status}\n${sc.stdout}${sc.stderr}`,
    syntax: syntax.status === 0 ? '' : `exit ${syntax.status}\n${syntax.stderr}`,
  };
}

/** The lines of a rendered script that belong to one step, from its run_step line to the heredoc end. */
function stepBlock(script: string, name: string): string {
  const start = script.indexOf(`\nrun_step ${name} `);
  if (start < 0) throw new Error(`no step ${name}`);
  const end = script.indexOf(`\n${HEREDOC_END}\n`, start);
  return script.slice(start + 1, end + HEREDOC_END.length + 2);
}

describe('BootScript', () => {
  test('renders globals, the prelude, then the steps in phase order (insertion order within a phase), then boot_succeeded', () => {
    const script = new BootScript({ FIRST: 'one', SECOND: 'two' });
    script.addStep({ name: 'signal-step', phase: BootPhase.SIGNAL, script: 'echo signal' });
    script.addStep({ name: 'build-step', phase: BootPhase.BUILD, script: 'echo build' });
    script.addStep({ name: 'prepare-b', phase: BootPhase.PREPARE, script: 'echo b' });
    script.addStep({ name: 'mount-step', phase: BootPhase.MOUNT, script: 'echo mount' });
    script.addStep({ name: 'prepare-a', phase: BootPhase.PREPARE, script: 'echo a' });
    script.addStep({ name: 'start-step', phase: BootPhase.START, script: 'echo start' });
    script.addStep({ name: 'code-step', phase: BootPhase.FETCH_CODE, script: 'echo code' });
    script.addStep({ name: 'secrets-step', phase: BootPhase.FETCH_SECRETS, script: 'echo secrets' });

    const order: Array<[string, string]> = [
      ['prepare-b', 'prepare'], ['prepare-a', 'prepare'], ['mount-step', 'mount'], ['secrets-step', 'fetch-secrets'],
      ['code-step', 'fetch-code'], ['build-step', 'build'], ['start-step', 'start'], ['signal-step', 'signal'],
    ];
    expect(script.stepNames).toEqual(order.map(([n]) => n));
    expect(script.hasStep('mount-step')).toBe(true);
    expect(script.hasStep('nope')).toBe(false);

    const rendered = script.render();
    expect(rendered.split('\n').slice(0, 4)).toEqual([
      '#!/bin/bash',
      expect.stringMatching(/^# Rendered by cdk-web-tiers/),
      "export FIRST='one'",
      "export SECOND='two'",
    ]);
    const prelude = rendered.indexOf('# --- cdk-web-tiers boot prelude');
    expect(prelude).toBeGreaterThan(0);
    expect(rendered.indexOf('\nrun_step ')).toBeGreaterThan(prelude);
    expect(runSteps(rendered)).toEqual(order);
    expect(rendered.endsWith(`${HEREDOC_END}\n\nboot_succeeded\n`)).toBe(true);
    expect(stepBlock(rendered, 'build-step')).toBe(`run_step build-step build <<'${HEREDOC_END}'\necho build\n${HEREDOC_END}\n`);
  });

  test('a global value with quotes, $, backticks and newlines survives bash unchanged', () => {
    const value = "it's a \"test\" with $HOME, `uname`, $(id), \\ and\na second line '' end'";
    const script = new BootScript({ WEIRD: value, PLAIN: 'x' });
    const rendered = script.render();
    const exports = rendered.slice(0, rendered.indexOf('# --- cdk-web-tiers boot prelude'));
    expect(bash(`${exports}\nprintf '%s' "$WEIRD"`)).toBe(value);
    expect(bash(`${exports}\nprintf '%s' "$PLAIN"`)).toBe('x');
  });

  test('step environment values are quoted as single words; the step body is passed literally', () => {
    const script = new BootScript({});
    const env = { QUOTE: "O'Brien's \"app\"", SPACES: 'a b  c', DOLLAR: '$HOME `id`', EMPTY: '' };
    const body = 'echo "$HOME" `id` $(whoami)\nprintf \'%s\\n\' done';
    script.addStep({ name: 'quoted', phase: BootPhase.START, script: body, environment: env });
    const block = stepBlock(script.render(), 'quoted');

    // A stub run_step prints its VAR=value arguments NUL-separated, then the heredoc body.
    const args = bash(`run_step() { shift 2; printf '%s\\0' "$@"; }\n${block}`).split('\0').slice(0, -1);
    expect(args).toEqual(Object.entries(env).map(([k, v]) => `${k}=${v}`));
    const received = bash(`run_step() { cat; }\n${block}`);
    expect(received).toBe(`${body}\n`);
  });

  test('a step containing the reserved heredoc terminator line is rejected', () => {
    const script = new BootScript({});
    expect(() => script.addStep({ name: 'sneaky', phase: BootPhase.START, script: `echo hi\n${HEREDOC_END}\nrm -rf /` }))
      .toThrow(/"sneaky" contains the reserved line CDK_WEB_TIERS_STEP_END/);
    expect(() => script.addStep({ name: 'indented', phase: BootPhase.START, script: `echo hi\n  ${HEREDOC_END}  ` }))
      .toThrow(/reserved line/);
    // Inside a line it cannot end the heredoc, so it is allowed.
    expect(() => script.addStep({ name: 'mention', phase: BootPhase.START, script: `echo ${HEREDOC_END}` })).not.toThrow();
    expect(script.stepNames).toEqual(['mention']);
  });

  test.each(['', 'Upper', '-leading-dash', 'under_score', 'has space', 'dot.ted', 'a'.repeat(64)])('step name %j is rejected', (name) => {
    expect(() => new BootScript({}).addStep({ name, phase: BootPhase.START, script: 'true' })).toThrow(/is invalid: use lower-case letters/);
  });

  test('valid names are accepted; a duplicate is rejected', () => {
    const script = new BootScript({});
    script.addStep({ name: 'a', phase: BootPhase.START, script: 'true' });
    script.addStep({ name: '0-step-9', phase: BootPhase.START, script: 'true' });
    script.addStep({ name: 'x'.repeat(63), phase: BootPhase.START, script: 'true' });
    expect(() => script.addStep({ name: 'a', phase: BootPhase.BUILD, script: 'false' })).toThrow(/"a" was added twice/);
    expect(script.stepNames).toEqual(['a', '0-step-9', 'x'.repeat(63)]);
  });
});

describe('shellcheck and bash -n', () => {
  const files = fs.readdirSync(BOOT_DIR).filter(f => f.endsWith('.sh')).sort();

  test('the boot step files exist', () => {
    expect(files).toEqual(expect.arrayContaining(['prelude.sh', 'app-user.sh', 'cloudwatch-agent.sh', 'wait-for-http.sh', 'wait-for-command.sh', 'health-reporter.sh']));
  });

  test.each(files)('runtime/boot/%s is clean', (file) => {
    expect(lint(path.join(BOOT_DIR, file))).toEqual({ shellcheck: '', syntax: '' });
  });

  describe('fully rendered user data', () => {
    let dir: string;
    const scripts: Record<string, string> = {};

    beforeAll(() => {
      const stack = newStack();
      const vpc = testVpc(stack);
      const web = new StatelessWebTier(stack, 'Web', { vpc, source: testSource(), certificate: testCertificate(stack) });
      web.addBootStep({ name: 'extra', phase: BootPhase.BUILD, script: 'echo "building as $APP_USER"', environment: { APP_USER: 'webapp' } });
      const worker = new SingletonWorker(stack, 'Worker', {
        vpc,
        source: testSource(),
        healthCommand: "curl -fsS 'http://127.0.0.1:9000/health?probe=1' | grep -q ok",
      });
      const template = Template.fromStack(stack);
      scripts.web = userDataOf(template, web);
      scripts.worker = userDataOf(template, worker);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-script-'));
    });

    afterAll(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test.each(['web', 'worker'])('the %s script is clean', (name) => {
      const script = scripts[name];
      expect(script).toContain('TOKEN_Ref_AWS_Region');
      expect(script).not.toMatch(/\$\{Token\[/);
      const file = path.join(dir, `${name}.sh`);
      fs.writeFileSync(file, script);
      expect(lint(file)).toEqual({ shellcheck: '', syntax: '' });
    });

    test('a broken script is reported (the check can fail)', () => {
      const file = path.join(dir, 'broken.sh');
      fs.writeFileSync(file, '#!/bin/bash\nrm -rf $DIR/\nif [ "$x" = 1 ]; then\n');
      const result = lint(file);
      expect(result.shellcheck).toMatch(/SC2086|SC1046|SC1073/);
      expect(result.syntax).not.toBe('');
    });
  });
});
