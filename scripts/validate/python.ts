/**
 * cfn-lint and checkov live in a project-local virtual environment (`.venv/`, gitignored),
 * created and filled on first use with the pinned versions below, reused afterwards, and
 * re-created when its interpreter no longer runs (e.g. the Python it was made from was removed).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runSync } from './process';

/** Versions verified to install and run here (`pip index versions cfn-lint|checkov`, newest at the time). */
export const PINNED_PYTHON_TOOLS = { 'cfn-lint': '1.58.0', checkov: '3.3.30' } as const;

/** cfn-lint 1.58 declares Requires-Python >=3.10,<3.15; checkov 3.3 >=3.9. */
const MIN_PYTHON: readonly [number, number] = [3, 10];

export interface PythonTools {
  readonly cfnLint: string;
  readonly checkov: string;
}

/** Thrown when no usable Python exists; the message says what to install. */
export class PythonMissingError extends Error {}

export function ensurePythonTools(venvDir: string, log: (line: string) => void): PythonTools {
  const binDir = path.join(venvDir, process.platform === 'win32' ? 'Scripts' : 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  const venvPython = path.join(binDir, `python${exe}`);
  const tools: PythonTools = { cfnLint: path.join(binDir, `cfn-lint${exe}`), checkov: path.join(binDir, `checkov${exe}`) };

  if (fs.existsSync(venvDir) && runSync(venvPython, ['-c', 'import sys']).code !== 0) {
    log(`${venvDir} exists but its python does not run: re-creating it`);
    fs.rmSync(venvDir, { recursive: true, force: true });
  }
  if (!fs.existsSync(venvPython)) {
    const python = findPython();
    log(`creating ${venvDir} with ${python}`);
    const created = runSync(python, ['-m', 'venv', venvDir], true);
    if (created.code !== 0 || !fs.existsSync(venvPython)) {
      fs.rmSync(venvDir, { recursive: true, force: true });
      throw new PythonMissingError(
        `'${python} -m venv' failed. On Debian/Ubuntu install the venv module: sudo apt-get install python3-venv`,
      );
    }
  }

  const wanted = Object.entries(PINNED_PYTHON_TOOLS).map(([name, version]) => `${name}==${version}`);
  if (installedVersions(venvPython) !== wanted.join(' ')) {
    log(`installing ${wanted.join(' ')} into ${venvDir} (first run only, about a minute)`);
    const pip = runSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', ...wanted], true);
    if (pip.code !== 0 || installedVersions(venvPython) !== wanted.join(' ')) {
      throw new Error(`pip could not install ${wanted.join(' ')} into ${venvDir} (see pip's output above)`);
    }
  }
  return tools;
}

function installedVersions(venvPython: string): string {
  const names = Object.keys(PINNED_PYTHON_TOOLS);
  const script =
    'import importlib.metadata as m, sys\n' +
    'out = []\n' +
    'for n in sys.argv[1:]:\n' +
    '    try: out.append(n + "==" + m.version(n))\n' +
    '    except m.PackageNotFoundError: out.append(n + "==missing")\n' +
    'print(" ".join(out))';
  const r = runSync(venvPython, ['-c', script, ...names]);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** The first of $PYTHON, python3, python that is at least MIN_PYTHON. */
function findPython(): string {
  const candidates = [process.env.PYTHON, 'python3', 'python'].filter((c): c is string => !!c);
  const seen: string[] = [];
  for (const candidate of candidates) {
    const r = runSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
    if (r.code !== 0) {
      if (candidate === process.env.PYTHON) {
        seen.push(`PYTHON=${candidate} does not run`);
      }
      continue;
    }
    const [major, minor] = r.stdout.trim().split('.').map(Number);
    if (major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1])) {
      return candidate;
    }
    seen.push(`${candidate} is ${r.stdout.trim()}`);
  }
  throw new PythonMissingError(
    [
      `cfn-lint ${PINNED_PYTHON_TOOLS['cfn-lint']} and checkov ${PINNED_PYTHON_TOOLS.checkov} need Python >= ${MIN_PYTHON.join('.')} with the venv module` +
        ` (${seen.length > 0 ? seen.join('; ') : 'no python3 on PATH'}).`,
      'Install it, then run `npm run validate` again:',
      '  Debian/Ubuntu: sudo apt-get install python3 python3-venv',
      '  Fedora/RHEL:   sudo dnf install python3',
      '  macOS:         brew install python',
      'or point PYTHON=/path/to/python3 at an existing interpreter.',
    ].join('\n'),
  );
}
