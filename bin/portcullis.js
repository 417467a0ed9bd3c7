#!/usr/bin/env node
// Entry point. In a source checkout it runs the TypeScript through tsx, so it is never stale;
// in the production image (no src/, no tsx) it runs the compiled dist/.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const root = path.join(__dirname, '..');
const source = path.join(root, 'src', 'cli', 'main.ts');
let entry = path.join(root, 'dist', 'cli', 'main.js');
if (fs.existsSync(source)) {
  try {
    require('tsx/cjs');
    entry = source;
  } catch {
    // tsx is a devDependency; fall back to dist/.
  }
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
