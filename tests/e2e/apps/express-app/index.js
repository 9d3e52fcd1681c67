'use strict';

const express = require('express');

// Docker passes PORT (the Dockerfile sets it); 3000 when run without it.
const port = process.env.PORT || 3000;

const app = express();

app.get('/', (req, res) => {
  res.send('Hello World!');
});

const server = app.listen(port, (error) => {
  if (error) throw error;
  console.log(`express-app listening on port ${port}`);
});

// `docker stop` sends SIGTERM (tini passes it on): stop taking connections, then exit.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
  });
}
