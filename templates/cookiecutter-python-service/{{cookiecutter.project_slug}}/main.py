"""{{ cookiecutter.project_name | trim }}: {{ cookiecutter.description | trim }}

A standard-library HTTP service: `GET /` answers `Hello World!`. Add dependencies with your package
manager; the image installs exactly what it pins.
"""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = (200, b"Hello World!\n") if self.path.split("?", 1)[0] == "/" else (404, b"not found\n")
        self.send_response(status)
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    port = int(os.environ.get("PORT") or {{ cookiecutter.port | trim | int }})
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"{{ cookiecutter.project_slug | trim }} listening on {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
