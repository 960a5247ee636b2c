#!/usr/bin/env node
// joblock, run from this repository: loads the TypeScript source through tsx.
// Instances run the esbuild bundle of runtime/joblock/src/cli.ts instead (`node joblock.js run ...`).
'use strict';
require('tsx/cjs');
require('../src/cli.ts').runCli();
