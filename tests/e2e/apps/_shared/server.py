"""The HTTP server of every Python fixture app (tests/e2e/fixtures.py copies it into each app).

Standard library only, plus the app's one production dependency (humanize). It installs no signal
handler on purpose: stopping it on SIGTERM is the image's job (an init as PID 1), whatever the server.
"""

import importlib.util
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import humanize

DEV_DEPENDENCY = "iniconfig"


def make_handler(name):
    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, body, content_type="text/plain"):
            data = body.encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/":
                self.answer(200, f"hello from {name} size={humanize.naturalsize(7_200_000)}\n")
            elif path == "/tz":
                local = time.localtime()
                # like JavaScript's getTimezoneOffset(): minutes from local time to UTC
                self.answer(200, json.dumps({"tz": os.environ.get("TZ"), "abbreviation": local.tm_zone,
                                             "offset": -local.tm_gmtoff // 60}) + "\n", "application/json")
            elif path == "/dev":
                present = importlib.util.find_spec(DEV_DEPENDENCY) is not None
                self.answer(200, json.dumps({"devDependency": DEV_DEPENDENCY, "present": present}) + "\n",
                            "application/json")
            else:
                self.answer(404, "not found\n")

        do_HEAD = do_GET

        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            print(f"{self.address_string()} {format % args}", flush=True)

    return Handler


def main(name):
    port = int(os.environ.get("PORT") or 8000)
    server = ThreadingHTTPServer(("0.0.0.0", port), make_handler(name))
    print(f"{name} listening on {port}", flush=True)
    server.serve_forever()
