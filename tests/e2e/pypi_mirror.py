"""A recording PyPI mirror on loopback for the e2e tests: HTTPS, proxies pypi.org's simple index and
files.pythonhosted.org, rewrites the file links of index pages to itself, and records every request.

A build that downloads a package from anywhere but the mirror (a URL pinned in uv.lock or poetry.lock,
say) shows up as a package the mirror never served. Its TLS certificate is signed by a throwaway CA; the
test harness mounts a CA bundle that adds it (``bundle_dir``) over /etc/ssl/certs for the build.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

UPSTREAM_INDEX = "https://pypi.org/simple/"
UPSTREAM_FILES = "https://files.pythonhosted.org/"
HOST_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for localhost (127.0.0.1) signed by it: (ca.pem, server.pem, server.key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca, key, csr, cert = (directory / n for n in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    ext = directory / "server.ext"
    ext.write_text("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    for argv in (
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=dockgen e2e mirror CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", ext],
    ):
        subprocess.run([str(a) for a in argv], check=True, capture_output=True)
    return ca, cert, key


class RecordingMirror:
    """``with RecordingMirror(tmp) as mirror:`` serves ``mirror.url`` (…/simple) until the block ends."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.requests: list[str] = []
        self.lock = threading.Lock()
        ca, cert, key = make_certificates(directory / "tls")
        self.bundle_dir = directory / "certs"
        self.bundle_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(HOST_BUNDLE, self.bundle_dir / "ca-certificates.crt")
        with (self.bundle_dir / "ca-certificates.crt").open("a") as bundle:
            bundle.write("\n" + ca.read_text())
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://localhost:{self.port}/simple"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingMirror:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def volume(self) -> str:
        """The build volume that makes the mirror's certificate trusted inside RUN steps."""
        return f"{self.bundle_dir}:/etc/ssl/certs:ro"

    def files(self) -> list[str]:
        """The file names (wheels, sdists) the mirror served."""
        with self.lock:
            return [path.rsplit("/", 1)[-1] for path in self.requests if path.startswith("/files/")]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                with mirror.lock:
                    mirror.requests.append(self.path)
                if self.path.startswith("/simple/"):
                    upstream = UPSTREAM_INDEX + self.path[len("/simple/"):]
                elif self.path.startswith("/files/"):
                    upstream = UPSTREAM_FILES + self.path[len("/files/"):]
                else:
                    self.send_error(404)
                    return
                headers = {"User-Agent": "dockgen-e2e-mirror"}
                if self.headers.get("Accept"):
                    headers["Accept"] = self.headers["Accept"]
                try:
                    with urllib.request.urlopen(urllib.request.Request(upstream, headers=headers), timeout=60) as r:
                        body, status, ctype = r.read(), r.status, r.headers.get("Content-Type", "")
                except urllib.error.HTTPError as exc:
                    body, status, ctype = exc.read(), exc.code, exc.headers.get("Content-Type", "")
                if self.path.startswith("/simple/"):
                    body = body.replace(UPSTREAM_FILES.encode(), f"https://localhost:{mirror.port}/files/".encode())
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            # uv asks HEAD first (no Accept-Ranges in the answer: it then downloads whole files)
            do_HEAD = do_GET  # noqa: N815

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
