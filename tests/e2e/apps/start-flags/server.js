'use strict';
// Started as `node --enable-source-maps --max-old-space-size=256 -r ./preload.js server` with GREETING=hej.
const http = require('http');

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from start-flags greeting=${process.env.GREETING} preloaded=${globalThis.preloaded === true} `
    + `flags=${process.execArgv.join(',')}\n`);
});

const port = Number(process.env.PORT) || 3000;
server.listen(port, () => {
  console.log(`start-flags listening on ${port}`);
});
