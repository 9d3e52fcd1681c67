"""What makes `dockgen render` start fast: two caches in the user's cache directory.

Importing Jinja costs several times what starting Python does, and `dockgen render --check` runs on every
commit of every service. So:

- **Rendered files** (:class:`OutputCache`): the files a template context renders to, kept under a key
  made of everything rendering reads — the context's ``repr`` (the validated preset and the values the
  language computed from it), the output and template names, and a fingerprint of the sources: every
  file under ``templates/<language>/``, the language's Python modules (the preset properties templates
  call), this module and ``render.py`` (the Jinja settings), Jinja's own ``__init__.py`` (its version) and
  the Python version. A preset rendered before comes back without importing Jinja at all; any change to
  any of those gives another key. Templates may use nothing but their context and these files.
- **Compiled templates** (:func:`bytecode_cache`): Jinja's own bytecode cache, for when Jinja does run.

The directory is ``$DOCKGEN_CACHE_DIR`` (empty: no caching), else ``$XDG_CACHE_HOME/dockgen``
(``~/.cache/dockgen``). A cache that cannot be read or written only costs time: rendering goes on.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

#: Bump when the entry format or the meaning of the key changes.
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent


def _sha256(data: bytes = b"") -> Any:
    """SHA-256 from CPython's built-in module when there is one: hashlib would load OpenSSL, which costs
    more than the rest of a cached render."""
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256(data)


def cache_root() -> Path | None:
    """``$DOCKGEN_CACHE_DIR`` (empty: None, no caching), else ``$XDG_CACHE_HOME/dockgen``."""
    explicit = os.environ.get("DOCKGEN_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dockgen"


def _jinja_init() -> Path | None:
    """Jinja's ``__init__.py`` (it holds the version), found as the import system would in a plain
    ``sys.path`` directory; None elsewhere (a zip import, say), and then nothing is cached."""
    if "jinja2" in sys.modules:
        origin = getattr(sys.modules["jinja2"], "__file__", None)
        return Path(origin) if origin else None
    for entry in sys.path:
        candidate = Path(entry or ".", "jinja2", "__init__.py")
        if candidate.is_file():
            return candidate
    return None


@cache
def fingerprint(language: str, templates: Path) -> bytes | None:
    """SHA-256 of every source rendering ``language`` reads (see the module docstring); None when one
    cannot be read (then nothing is cached)."""
    jinja = _jinja_init()
    if jinja is None:
        return None
    sources = [*sorted(p for p in (templates / language).rglob("*") if p.is_file()),
               *sorted((_PACKAGE / "languages" / language).glob("*.py")),
               _PACKAGE / "render.py", Path(__file__).resolve(), jinja]
    digest = _sha256(f"{FORMAT}\0{sys.version}\0{language}\0".encode())
    try:
        for path in sources:
            digest.update(f"{path.name}\0".encode())
            digest.update(path.read_bytes())
    except OSError:
        return None
    return digest.digest()


class OutputCache:
    """Rendered files by context, in ``<root>/renders/``."""

    def __init__(self, root: Path, language: str, templates: Path):
        self.directory = root / "renders"
        self.language, self.templates = language, templates

    def _path(self, context: Mapping[str, Any], outputs: Mapping[str, str]) -> Path | None:
        sources = fingerprint(self.language, self.templates)
        if sources is None:
            return None
        key = _sha256(sources + repr((sorted(outputs.items()), sorted(context.items()))).encode())
        return self.directory / key.hexdigest()

    def load(self, context: Mapping[str, Any], outputs: Mapping[str, str]) -> dict[str, str] | None:
        path = self._path(context, outputs)
        if path is None:
            return None
        try:
            files = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(files, dict) or sorted(files) != sorted(outputs):
            return None
        return files

    def store(self, context: Mapping[str, Any], outputs: Mapping[str, str], files: Mapping[str, str]) -> None:
        path = self._path(context, outputs)
        if path is None:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(marshal.dumps(dict(files)))
            os.replace(tmp, path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def bytecode_cache(root: Path) -> Any:
    """Jinja's bytecode cache in ``<root>/templates``, tolerant of a directory it cannot use."""
    import jinja2

    class TemplateCache(jinja2.FileSystemBytecodeCache):
        """Jinja names each entry after the template's path and checks the template's checksum, Jinja's
        bytecode version and Python's on load, so an entry is never used for another source."""

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                os.makedirs(self.directory, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return TemplateCache(str(root / "templates"))
