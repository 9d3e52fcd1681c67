"""How files are written (README, "Writing files"): modes, owners, symbolic links, and nothing left behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from generator.errors import UserError
from generator.output import write_files

FILES = {"Dockerfile": "FROM scratch\n", ".dockerignore": "node_modules\n"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_new_files_honour_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        write_files(FILES, tmp_path)
    finally:
        os.umask(old)
    assert mode(tmp_path / "Dockerfile") == 0o666 & ~umask
    assert mode(tmp_path / ".dockerignore") == 0o666 & ~umask


def test_an_existing_file_keeps_its_mode_and_owner(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("old\n")
    dockerfile.chmod(0o640)
    owner = (1234, 1234) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(dockerfile, *owner)
    write_files(FILES, tmp_path, force=True)
    assert dockerfile.read_text() == FILES["Dockerfile"]
    assert mode(dockerfile) == 0o640
    assert (dockerfile.stat().st_uid, dockerfile.stat().st_gid) == owner


def test_a_symlinked_dockerfile_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    real = tmp_path / "docker" / "Dockerfile.prod"
    real.write_text("old\n")
    real.chmod(0o600)
    (tmp_path / "Dockerfile").symlink_to("docker/Dockerfile.prod")
    written = write_files(FILES, tmp_path, force=True)
    assert written == [tmp_path / "Dockerfile", tmp_path / ".dockerignore"]
    assert (tmp_path / "Dockerfile").is_symlink(), "the link stays a link"
    assert real.read_text() == FILES["Dockerfile"] and mode(real) == 0o600
    assert sorted(p.name for p in (tmp_path / "docker").iterdir()) == ["Dockerfile.prod"], "no temporary file left"


def test_a_symlink_counts_as_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_text("old\n")
    (tmp_path / "Dockerfile").symlink_to("elsewhere")
    with pytest.raises(UserError, match="Dockerfile already exists"):
        write_files(FILES, tmp_path)
    assert (tmp_path / "elsewhere").read_text() == "old\n"


def test_a_link_to_a_special_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "out" / ".dockerignore").symlink_to(tmp_path / "fifo")
    with pytest.raises(UserError, match="not a regular file"):
        write_files(FILES, tmp_path / "out", force=True)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".dockerignore"]


def test_the_output_directory_is_created_and_removed_again_on_failure(tmp_path: Path, monkeypatch) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(UserError, match="No space left on device"):
        write_files(FILES, tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []
