'use strict';
// The server of every fixture app without one of its own (copied in as index.js by tests/e2e/fixtures.py).
const http = require('http');
const ms = require('ms');

// The app's name from its package.json, next to this file or one up (a build copies it into dist/).
function appName() {
  for (const manifest of ['./package.json', '../package.json']) {
    try {
      return require(manifest).name;
    } catch {
      // not there: try the next one
    }
  }
  return 'app';
}

const name = appName();

// An app may add to its answer with an extra.js of its own (native-app: what its native addon computes).
function loadExtra() {
  try {
    return require('./extra');
  } catch (err) {
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes("'./extra'")) {
      return () => '';
    }
    throw err;
  }
}

const extra = loadExtra();

function devDependencyPresent() {
  try {
    require.resolve('is-number');
    return true;
  } catch {
    return false;
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${name} ms=${ms('2h')}${extra()}\n`);
  } else if (url.pathname === '/tz') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      offset: new Date().getTimezoneOffset(),
    }) + '\n');
  } else if (url.pathname === '/dev') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ devDependency: 'is-number', present: devDependencyPresent() }) + '\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
});

const port = Number(process.env.PORT) || 3000;
server.listen(port, () => {
  console.log(`${name} listening on ${port}`);
});
