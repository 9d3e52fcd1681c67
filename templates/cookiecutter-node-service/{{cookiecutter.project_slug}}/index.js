{% import "answers.jinja" as a with context %}
{% if a.esm %}
import {{ "express from 'express'" if a.express else "http from 'node:http'" }};
{% else %}
'use strict';

const {{ "express = require('express')" if a.express else "http = require('node:http')" }};
{% endif %}

// Docker passes PORT (the Dockerfile sets it); {{ a.port }} when run without it.
const port = process.env.PORT || {{ a.port }};

{% if a.express %}
const app = express();

app.get('/', (req, res) => {
  res.send('Hello World!');
});

const server = app.listen(port, (error) => {
  if (error) throw error;
  console.log(`{{ a.slug }} listening on port ${port}`);
});
{% else %}
const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Hello World!');
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not Found');
});

server.listen(port, () => {
  console.log(`{{ a.slug }} listening on port ${port}`);
});
{% endif %}

// `docker stop` sends SIGTERM (tini passes it on): stop taking connections, then exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
  });
}
