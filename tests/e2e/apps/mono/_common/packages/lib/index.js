'use strict';
// A local workspace package with an external dependency of its own.
const ms = require('ms');

exports.describe = () => `via @mono/lib ms=${ms('2h')}`;
