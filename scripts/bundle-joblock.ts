// Writes runtime/dist/joblock.js, the prebuilt joblock CLI that a published package ships (its
// users then need no esbuild); run by `npm pack` / `npm publish` through "prepack".
import * as path from 'path';
import { bundleJoblockCli } from '../lib/lock/joblock-cli-asset';

const root = path.join(__dirname, '..');
const outfile = path.join(root, 'runtime', 'dist', 'joblock.js');
bundleJoblockCli(path.join(root, 'runtime', 'joblock', 'src', 'cli.ts'), outfile);
console.log(`bundled ${path.relative(root, outfile)}`);
