/**
 * Rewrites README.md's list of error codes (between `<!-- error-codes -->` and
 * `<!-- /error-codes -->`) from lib/common/error-codes.ts. `--check` only says whether it is current.
 *
 *   npx tsx scripts/error-codes.ts [--check]
 */
import * as fs from 'fs';
import * as path from 'path';
import { ERROR_CODES } from '../lib/common/error-codes';

const BEGIN = '<!-- error-codes -->';
const END = '<!-- /error-codes -->';

/** The Markdown table of every code and what it means. */
export function errorCodesTable(): string {
  const rows = Object.entries(ERROR_CODES)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, description]) => `| ${code} | ${description.replace(/\|/g, '\\|')} |`);
  return ['| Code | Meaning |', '| --- | --- |', ...rows].join('\n');
}

/** README text with the section between the markers replaced by the current table. */
export function withErrorCodes(readme: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${errorCodesTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const file = path.join(__dirname, '..', 'README.md');
  const readme = fs.readFileSync(file, 'utf-8');
  const next = withErrorCodes(readme);
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      process.stderr.write('README.md lists other error codes than lib/common/error-codes.ts: run npx tsx scripts/error-codes.ts\n');
      process.exitCode = 1;
    }
  } else if (next !== readme) {
    fs.writeFileSync(file, next);
    process.stdout.write(`README.md: ${Object.keys(ERROR_CODES).length} error codes\n`);
  }
}
