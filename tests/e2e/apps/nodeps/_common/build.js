'use strict';
// The build of the *-bundled apps, a tiny bundler: dist/index.js is index.js with `ms` inlined, so the
// runtime needs no node_modules at all (the shape of a service bundled by esbuild or ncc). Both of the
// app's dependencies are dev dependencies: this script fails where they are not installed.
const fs = require('fs');
const isNumber = require('is-number');

const source = fs.readFileSync('index.js', 'utf8');
const call = "optional('ms')";
if (!source.includes(call) || !isNumber(source.length)) {
  throw new Error(`index.js has no ${call} to inline`);
}
const ms = fs.readFileSync(require.resolve('ms'), 'utf8');
const inlined = `(function () {\nconst module = { exports: {} };\n${ms}\nreturn module.exports;\n})()`;
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.js', source.replace(call, inlined));
console.log('wrote dist/index.js with ms inlined');
