"""A Go module proxy fixture: the modules under tests/e2e/goproxy/<path>@<version>/, laid out as the GOPROXY
protocol wants (`<path>/@v/list`, `.info`, `.mod`, `.zip`) and served over loopback HTTP, since the real
proxy is unreachable here. The e2e tests give its URL as `registry_mirror` (GOPROXY), so it is the mirror
test too.

    python -m tests.e2e.goproxy DIR        # write the tree only (then GOPROXY=file://DIR works too)
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SOURCES = Path(__file__).parent / "goproxy"
#: A fixed time, so that zips (and their hashes in go.sum) don't depend on when the tree was written.
STAMP = (2026, 1, 1, 0, 0, 0)


def build_tree(dest: Path) -> Path:
    """Write the proxy tree for every module under SOURCES into ``dest``; return ``dest``."""
    versions: dict[str, list[str]] = {}
    for src in sorted(SOURCES.glob("**/*@v*")):
        if not src.is_dir():
            continue
        module, version = src.relative_to(SOURCES).as_posix().rsplit("@", 1)
        at_v = dest / module / "@v"
        at_v.mkdir(parents=True, exist_ok=True)
        versions.setdefault(module, []).append(version)
        (at_v / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"}))
        (at_v / f"{version}.mod").write_bytes((src / "go.mod").read_bytes())
        with zipfile.ZipFile(at_v / f"{version}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in src.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(f"{module}@{version}/{path.relative_to(src).as_posix()}", STAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    for module, listed in versions.items():
        (dest / module / "@v" / "list").write_text("".join(f"{v}\n" for v in listed))
    return dest


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(tree: Path) -> Iterator[str]:
    """Serve ``tree`` on 127.0.0.1 (a free port) for the duration; yields the proxy URL."""
    handler = functools.partial(_Quiet, directory=str(tree))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    print(build_tree(Path(sys.argv[1])))
