'use strict';
// berry-app: tiny HTTP fixture for dockgen end-to-end tests.
const http = require('http');
const ms = require('ms');

const name = 'berry-app';

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
    res.end(`hello from ${name} ms=${ms('2h')}\n`);
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
