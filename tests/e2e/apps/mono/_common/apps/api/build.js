'use strict';
// The api's build step (added by the e2e test): needs the dev dependency, writes dist/index.js.
const fs = require('fs');
const isNumber = require('is-number');

if (!isNumber(1)) {
  throw new Error('is-number is broken');
}
fs.mkdirSync(`${__dirname}/dist`, { recursive: true });
const source = fs.readFileSync(`${__dirname}/index.js`, 'utf8').replace("require('./package.json')", "require('../package.json')");
fs.writeFileSync(`${__dirname}/dist/index.js`, source);
