"""The fixture apps (tests/e2e/apps), shared by the e2e tests and benchmarks/bench_images.py."""

from __future__ import annotations

import shutil
from pathlib import Path

APPS = Path(__file__).parent / "apps"
#: The HTTP server of every app that has no index.js of its own; it names itself after package.json.
SHARED_SERVER = APPS / "_shared" / "index.js"
#: The HTTP server of every Python app, copied in as server.py next to the module that starts it.
SHARED_PY_SERVER = APPS / "_shared" / "server.py"
PY_SERVER_DIRS = {"python-pip-app": ".", "python-pip-hashed-app": ".", "python-poetry-app": "poetry_app",
                  "python-uv-app": "src/uv_app"}
#: The HTTP server of every Go app, copied next to each of its main.go files (package main).
SHARED_GO_SERVER = APPS / "_shared_go" / "server.go"


def copy_app(app: str, dest: Path) -> Path:
    """A copy of fixture app ``app`` at ``dest``, without what a host install or build left in it.

    An app in a group (``nodeps/npm``) gets the group's ``_common/`` files first, then its own.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("node_modules", "dist", ".pnp.*", ".venv", "__pycache__")
    common = (APPS / app).parent / "_common"
    if common.is_dir():
        shutil.copytree(common, dest, ignore=ignore)
    shutil.copytree(APPS / app, dest, ignore=ignore, dirs_exist_ok=True)
    if app in PY_SERVER_DIRS:
        shutil.copy(SHARED_PY_SERVER, dest / PY_SERVER_DIRS[app] / "server.py")
        return dest
    if (dest / "go.mod").exists():
        for main in dest.rglob("main.go"):
            if "vendor" not in main.relative_to(dest).parts:
                shutil.copy(SHARED_GO_SERVER, main.parent / "server.go")
    elif not common.is_dir() and not (dest / "index.js").exists() and not (dest / "src").exists():
        shutil.copy(SHARED_SERVER, dest / "index.js")
    return dest
