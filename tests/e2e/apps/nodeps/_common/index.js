'use strict';
// The server of the apps without production dependencies (tests/e2e/apps/nodeps): node's own modules only.
// The *-bundled apps run it as dist/index.js, built by build.js with `ms`, a dev dependency, inlined.
const http = require('http');

function optional(id) {
  try {
    return require(id);
  } catch (err) {
    if (err.code === 'MODULE_NOT_FOUND') {
      return null;
    }
    throw err;
  }
}

const ms = optional('ms');

// The app's name from its package.json, next to this file or one up (dist/index.js).
function appName() {
  for (const manifest of ['./package.json', '../package.json']) {
    const found = optional(manifest);
    if (found) {
      return found.name;
    }
  }
  return 'app';
}

const name = appName();

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello from ${name}${ms ? ` ms=${ms('2h')}` : ' without dependencies'}\n`);
  } else if (url.pathname === '/dev') {
    // Dev dependencies (the bundled apps have two) must not be resolvable at run time.
    const present = ['is-number', 'ms'].filter((id) => {
      try {
        require.resolve(id);
        return true;
      } catch {
        return false;
      }
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ present: present.length > 0, found: present }) + '\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
});

const port = Number(process.env.PORT) || 3000;
server.listen(port, () => {
  console.log(`${name} listening on ${port}`);
});
