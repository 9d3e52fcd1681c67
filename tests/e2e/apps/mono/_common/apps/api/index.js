'use strict';
// The workspace the image is built for: it uses @mono/lib, a local package with an external dependency (ms).
const http = require('http');
const lib = require('@mono/lib');
const { name } = require('./package.json');

function resolvable(id) {
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/dev') {
    // is-number: a dev dependency of this workspace; is-odd: a dependency of another workspace.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ present: resolvable('is-number'), other: resolvable('is-odd') }) + '\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from ${name} ${lib.describe()}\n`);
});

const port = Number(process.env.PORT) || 3000;
server.listen(port, () => {
  console.log(`${name} listening on ${port}`);
});
