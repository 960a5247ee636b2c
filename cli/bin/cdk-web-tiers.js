#!/usr/bin/env node
// cdk-web-tiers. In this repository it loads the TypeScript sources through tsx; a published
// package runs the compiled CLI (build/cli).
'use strict';
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, '..', 'main.ts');
const main = fs.existsSync(source) ? (require('tsx/cjs'), source) : path.join(__dirname, '..', '..', 'build', 'cli', 'main.js');
require(main).runCli(process.argv.slice(2)).then((code) => { process.exitCode = code; });
