'use strict';
// A local workspace package with an external dependency of its own. With a build step (the e2e test adds
// one), build.js writes stamp.json, and the answer says so.
const ms = require('ms');

function built() {
  try {
    return require('./stamp.json').built === true;
  } catch {
    return false;
  }
}

exports.describe = () => `via @mono/lib ms=${ms('2h')}${built() ? ' built' : ''}`;
