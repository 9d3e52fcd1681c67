'use strict';
// native-app's addition to the shared server's answer: a call into the iconv native addon.
const { Iconv } = require('iconv');

const latin1 = new Iconv('UTF-8', 'ISO-8859-1');

module.exports = () => ` latin1=${latin1.convert('h\u00e9').toString('hex')}`;
