// ts-app: tiny HTTP fixture for dockgen end-to-end tests (compiled by `npm run build`).
import * as http from 'http';
import ms from 'ms';

const name = 'ts-app';

function devDependencyPresent(): boolean {
  try {
    require.resolve('is-number');
    return true;
  } catch {
    return false;
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'method not allowed\n');
  } else if (url.pathname === '/') {
    send(res, 200, 'text/plain', `hello from ${name} ms=${ms('2h')}\n`);
  } else if (url.pathname === '/tz') {
    const body = {
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      offset: new Date().getTimezoneOffset(),
    };
    send(res, 200, 'application/json', JSON.stringify(body) + '\n');
  } else if (url.pathname === '/dev') {
    const body = { devDependency: 'is-number', present: devDependencyPresent() };
    send(res, 200, 'application/json', JSON.stringify(body) + '\n');
  } else {
    send(res, 404, 'text/plain', 'not found\n');
  }
});

const port = Number(process.env.PORT) || 3000;
server.listen(port, () => {
  console.log(`${name} listening on ${port}`);
});
