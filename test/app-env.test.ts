/**
 * runtime/boot/app-env.sh and env_file.py: the app environment file written from a secret. Run for
 * real with bash and python3 and a fake `aws` on PATH; the file is read back by bash the way the
 * build reads it. (systemd reads the same file in the instance lab, test/instance.)
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BOOT_DIR = path.join(__dirname, '..', 'runtime', 'boot');
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\nAT8wggE7AgEAAkEAq7BFUpkGp3+X\n-----END PRIVATE KEY-----';

interface Written { readonly content: string; readonly stderr: string; readonly status: number | null; readonly file: string }

interface WriteOptions { prefix?: string; appPort?: string; requiredKeys?: string; binary?: boolean; dir?: string; step?: string }

/** Runs app-env.sh with a fake `aws` that answers GetSecretValue's JSON (--output json) for `secret`. */
function write(secret: string, options: WriteOptions = {}): Written {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'app-env-'));
  fs.writeFileSync(path.join(dir, 'aws'), `#!/bin/bash\ncat "${path.join(dir, 'secret')}"\n`, { mode: 0o755 });
  const answer = options.binary
    ? { ARN: 'arn:aws:secretsmanager:x', Name: 'env', SecretBinary: Buffer.from(secret).toString('base64') }
    : { ARN: 'arn:aws:secretsmanager:x', Name: 'env', SecretString: secret };
  fs.writeFileSync(path.join(dir, 'secret'), JSON.stringify(answer));
  const file = path.join(dir, 'app.env');
  const result = spawnSync('bash', ['-euo', 'pipefail', path.join(BOOT_DIR, 'app-env.sh')], {
    env: {
      PATH: `${dir}:${process.env.PATH}`, SECRET_ARN: 'arn:aws:secretsmanager:x', ENV_FILE: file, APP_USER: os.userInfo().username,
      ENV_PREFIX: options.prefix ?? '', APP_PORT: options.appPort ?? '', CWT_REGION: 'us-east-1', CWT_BOOT_DIR: BOOT_DIR,
      REQUIRED_KEYS: options.requiredKeys ?? '', CWT_STEP: options.step ?? 'app-env',
    },
    encoding: 'utf-8',
  });
  expect(result.stdout + result.stderr).not.toContain('s3cr3t');
  const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '';
  if (result.status === 0) expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  return { content, stderr: result.stderr, status: result.status, file };
}

/** What the build's bash sees: `set -a; . file`, then each variable printed exactly (NUL-separated). */
function readByBash(file: string, names: string[]): Record<string, string> {
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', 'set -a; . "$1"; set +a; shift; for n in "$@"; do printf "%s\\0" "${!n}"; done', 'bash', file, ...names], { encoding: 'utf-8' });
  const values = out.split('\0');
  return Object.fromEntries(names.map((n, i) => [n, values[i]]));
}

describe('JSON secrets', () => {
  test('values with quotes, $, backquotes, backslashes and newlines reach bash byte for byte', () => {
    const password = 's3cr3t"$`\\x \'single\' $(id)';
    const written = write(JSON.stringify({ DB_HOST: 'db.internal', PASSWORD: password, TLS_KEY: PEM, RETRIES: 5 }));
    expect(written.status).toBe(0);
    expect(written.content).toContain('DB_HOST="db.internal"\n');
    expect(written.content).toContain('RETRIES="5"\n');
    expect(readByBash(written.file, ['PASSWORD', 'TLS_KEY', 'RETRIES'])).toEqual({ PASSWORD: password, TLS_KEY: PEM, RETRIES: '5' });
  });
});

describe('dotenv secrets, read as the common dotenv parsers read them', () => {
  test('comments, export, prefix and plain values', () => {
    const written = write('# comment\nexport API_KEY=s3cr3t-key\nNAME="Kwizly"\n', { prefix: 'APP_' });
    expect(written.content).toBe('APP_API_KEY="s3cr3t-key"\nAPP_NAME="Kwizly"\n');
  });

  test('inline comments and quotes are not part of the value', () => {
    const written = write([
      'QUOTED="a" # note',
      "SINGLE='b c' # note",
      'BARE=plain value   # note',
      'HASH_IN_VALUE=abc#def',
      'HASH_QUOTED="x # not a comment"',
      'EMPTY=',
    ].join('\n'));
    expect(written.status).toBe(0);
    expect(readByBash(written.file, ['QUOTED', 'SINGLE', 'BARE', 'HASH_IN_VALUE', 'HASH_QUOTED', 'EMPTY'])).toEqual({
      QUOTED: 'a', SINGLE: 'b c', BARE: 'plain value', HASH_IN_VALUE: 'abc#def', HASH_QUOTED: 'x # not a comment', EMPTY: '',
    });
  });

  test('a multi-line double-quoted value (a PEM) is kept, and \\n escapes become newlines', () => {
    const written = write(`TLS_KEY="${PEM}"\nESCAPED="line1\\nline2"\nSINGLE_LITERAL='a\\nb'\nAFTER=1\n`);
    expect(written.status).toBe(0);
    expect(readByBash(written.file, ['TLS_KEY', 'ESCAPED', 'SINGLE_LITERAL', 'AFTER'])).toEqual({
      TLS_KEY: PEM, ESCAPED: 'line1\nline2', SINGLE_LITERAL: 'a\\nb', AFTER: '1',
    });
  });

  test('an unclosed quote or a line without = fails without printing the value', () => {
    expect(write('KEY="s3cr3t-unclosed').stderr).toMatch(/no closing "/);
    const noEquals = write('s3cr3t-without-equals');
    expect(noEquals.status).not.toBe(0);
    expect(noEquals.stderr).toMatch(/neither a JSON object nor dotenv/);
  });
});

describe('keys that systemd or bash cannot hold are skipped with a warning, never failing the build', () => {
  test('a key starting with a digit and bash read-only names', () => {
    const written = write(JSON.stringify({ '2FA_SECRET': 's3cr3t-a', UID: '1000', EUID: '0', GOOD: 'yes' }));
    expect(written.status).toBe(0);
    expect(written.content).toBe('GOOD="yes"\n');
    expect(written.stderr).toContain("skipped 2FA_SECRET: an environment variable name must start with a letter or '_'");
    expect(written.stderr).toContain('skipped UID: bash keeps it read-only');
    // The build's `set -a; . file` works (it failed with exit 127 and 1 before).
    expect(readByBash(written.file, ['GOOD'])).toEqual({ GOOD: 'yes' });
  });

  test('with a prefix, a key starting with a digit is a valid name and is kept', () => {
    expect(write(JSON.stringify({ '2FA_SECRET': 'x' }), { prefix: 'APP_' }).content).toBe('APP_2FA_SECRET="x"\n');
  });

  test('PORT does not override the tier\'s app port; without one (a worker) it is kept', () => {
    const web = write('PORT=3000\nOTHER=1\n', { appPort: '8080' });
    expect(web.content).toBe('OTHER="1"\n');
    expect(web.stderr).toContain("skipped PORT=3000: the tier's appPort (8080)");
    expect(write('PORT=3000\n').content).toBe('PORT="3000"\n');
  });
});

describe('secrets that used to change silently (issue 20)', () => {
  test('a UTF-8 byte order mark (a Windows editor) is dropped: APP_NAME stays APP_NAME', () => {
    const written = write('\ufeffAPP_NAME=Kwizly\nOTHER=1\n');
    expect(written.status).toBe(0);
    expect(written.content).toBe('APP_NAME="Kwizly"\nOTHER="1"\n');
    expect(write('\ufeff' + JSON.stringify({ APP_NAME: 'Kwizly' })).content).toBe('APP_NAME="Kwizly"\n');
  });

  test('a key that would be renamed is refused with its line number, not renamed', () => {
    const dotenv = write('# header\nGOOD=1\nAPP-NAME=Kwizly\n');
    expect(dotenv.status).not.toBe(0);
    expect(dotenv.stderr).toContain('line 3: the key "APP-NAME" has characters an environment variable name cannot hold');
    expect(dotenv.stderr).toContain('it would reach the app as APP_NAME');
    expect(dotenv.content).toBe('');
    const json = write(JSON.stringify({ 'app.name': 'x' }));
    expect(json.status).not.toBe(0);
    expect(json.stderr).toContain('JSON key "app.name"');
  });

  test('a secret of comments only writes nothing and warns', () => {
    const written = write('# nothing here yet\n\n# TODO\n');
    expect(written.status).toBe(0);
    expect(written.content).toBe('');
    expect(written.stderr).toContain('warning: the secret sets no variable');
  });

  test('required keys that the secret does not set fail the step, naming them', () => {
    const written = write('# nothing here yet\n', { requiredKeys: 'APP_KEY DB_URL' });
    expect(written.status).not.toBe(0);
    expect(written.stderr).toContain('does not set the required key(s) APP_KEY, DB_URL (it sets 0 variable(s))');
    expect(write('APP_KEY=s3cr3t\nDB_URL=x\n', { requiredKeys: 'APP_KEY DB_URL' }).status).toBe(0);
    expect(write('KEY=x\n', { prefix: 'APP_', requiredKeys: 'APP_KEY' }).status).toBe(0);
  });

  test('a binary secret is refused with a reason that says it is binary (not "None", not "line 1")', () => {
    const written = write('APP_NAME=s3cr3t\n', { binary: true });
    expect(written.status).not.toBe(0);
    expect(written.stderr).toContain('it is stored as binary (SecretBinary), not text');
    expect(written.stderr).not.toContain('line 1');
  });

  test('run twice (a reboot in the middle of the boot) the file is the same; two secrets join in step order', () => {
    const first = write('A=1\nB=2\n');
    const dir = path.dirname(first.file);
    const again = write('A=1\nB=2\n', { dir });
    expect(again.content).toBe('A="1"\nB="2"\n');
    const second = write(JSON.stringify({ host: 'db' }), { dir, step: 'app-env-2', prefix: 'DB_' });
    expect(second.content).toBe('A="1"\nB="2"\nDB_host="db"\n');
    expect(write('A=1\nB=2\n', { dir }).content).toBe('A="1"\nB="2"\nDB_host="db"\n');
  });
});
