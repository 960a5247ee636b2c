#!/usr/bin/env node
// joblock. In this repository it loads the TypeScript source through tsx; a published package
// runs the prebuilt bundle (runtime/dist/joblock.js), which is also what instances run.
'use strict';
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, '..', 'src', 'cli.ts');
if (fs.existsSync(source)) {
  require('tsx/cjs');
  require(source).runCli();
} else {
  require(path.join(__dirname, '..', '..', 'dist', 'joblock.js')).runCli();
}
