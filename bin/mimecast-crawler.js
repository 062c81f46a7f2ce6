#!/usr/bin/env node
// Launcher of the `mimecast-crawler` CLI: the compiled build when present, else the TypeScript
// source through tsx's CommonJS hook (no build step needed in a checkout).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'client', 'cli.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs');
  cli = require(path.join(root, 'client', 'cli.ts'));
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${(err && err.stack) || String(err)}\n`);
    process.exitCode = 1;
  },
);
