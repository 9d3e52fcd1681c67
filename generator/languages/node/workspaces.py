"""Monorepos: npm, yarn and pnpm workspaces, read from the files (no package manager is run).

A workspace root declares its workspaces as globs: package.json ``workspaces`` (npm, yarn; a list or
``{"packages": [...]}``) or pnpm-workspace.yaml ``packages``. :func:`find_root` finds the root a directory
belongs to, :func:`workspaces` lists a root's workspaces by directory, and :func:`local_dependencies`
the local packages a workspace depends on, transitively.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...detection import Detection, read_text, record

#: How far up from a directory its monorepo root is looked for.
MAX_DEPTH = 6


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_text(path) or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def globs(root: Path) -> list[str]:
    """The workspace globs a directory declares (empty: not a workspace root)."""
    declared = _json(root / "package.json").get("workspaces")
    if isinstance(declared, dict):
        declared = declared.get("packages")
    found = [g for g in declared if isinstance(g, str)] if isinstance(declared, list) else []
    text = read_text(root / "pnpm-workspace.yaml")
    if text:
        import yaml  # here only: `dockgen render` imports detection, and PyYAML would slow its start

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            data = {}
        packages = data.get("packages") if isinstance(data, dict) else None
        found += [g for g in packages or () if isinstance(g, str)]
    return found


def workspaces(root: Path) -> dict[str, str]:
    """``{directory relative to root: package name}`` of every workspace of ``root``."""
    patterns = globs(root)
    excluded: set[Path] = set()
    for pattern in (p[1:] for p in patterns if p.startswith("!")):
        excluded.update(root.glob(pattern.strip("/")))
    found: dict[str, str] = {}
    for pattern in (p for p in patterns if not p.startswith("!")):
        for directory in sorted(root.glob(pattern.strip("/").removeprefix("./"))):
            if directory in excluded or "node_modules" in directory.parts or not (directory / "package.json").is_file():
                continue
            rel = directory.relative_to(root).as_posix()
            if rel != ".":
                name = _json(directory / "package.json").get("name")
                found[rel] = name if isinstance(name, str) else rel
    return found


def find_root(directory: Path) -> tuple[Path, str] | None:
    """The monorepo root ``directory`` is a workspace of, and its path from there; None if it is not one."""
    directory = directory.resolve()
    for parent in list(directory.parents)[:MAX_DEPTH]:
        if globs(parent):
            rel = directory.relative_to(parent).as_posix()
            return (parent, rel) if rel in workspaces(parent) else None
    return None


def local_dependencies(root: Path, workspace: str) -> list[str]:
    """The workspaces ``workspace`` depends on (dependencies, optionalDependencies), transitively, in build
    order: every package after the local packages it depends on."""
    by_name = {name: rel for rel, name in workspaces(root).items()}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(rel: str) -> None:
        if rel in ordered or rel in visiting:  # done, or a cycle (npm allows them): keep the first order
            return
        visiting.add(rel)
        manifest = _json(root / rel / "package.json")
        for key in ("dependencies", "optionalDependencies"):
            deps = manifest.get(key)
            for name in sorted(deps) if isinstance(deps, dict) else ():
                if name in by_name:
                    visit(by_name[name])
        ordered.append(rel)

    visit(workspace)
    return [rel for rel in ordered if rel != workspace]


def detect_workspace(top: Path, workspace: str, result: Detection) -> None:
    """``workspace`` of the monorepo at ``top`` was detected: the preset keys that build it from the root."""
    how = f"a workspace of the monorepo at {top}"
    if result.values.get("package_manager") == "yarn" and result.values.get("yarn_version", 1) < 2:
        result.warnings.append(f"{workspace} is {how}, but yarn classic cannot install one workspace's production "
                               "dependencies (it has no `workspaces focus`): the preset is for the workspace alone; "
                               "upgrade to yarn 4 (`yarn set version 4`) to build it from the root")
        return
    record(result, "node", "workspace", workspace, how)
    deps = local_dependencies(top, workspace)
    if deps:
        record(result, "node", "workspace_deps", deps, f"the local packages {workspace} depends on")
    result.notes.append(f"the build context is the monorepo root {top}: render there (dockgen render PRESET -o "
                        f"{top}) and build from there")
    if result.values.pop("nextjs", None):
        result.values.pop("build_script", None)
        result.warnings.append(f"{workspace}: a Next.js app inside a workspace is not supported yet; the preset "
                               f"runs {result.values.get('entrypoint', 'index.js')} as the repository has it: set "
                               "entrypoint, or build the Next.js app outside the monorepo")


def list_workspaces(root: Path, result: Detection, detect: Callable[[Path], Detection]) -> None:
    """At a monorepo root: name its workspaces and say how to pick one; ``detect`` (the Node.js detector)
    gives the preset keys of each, for the wizard."""
    found = workspaces(root)
    if not found:
        return
    result.workspaces = {rel: detect(root / rel).values for rel in found}
    result.warnings.append(f"{root} is a monorepo root; its workspaces: {', '.join(found)}. This preset builds the "
                           f"root package: to build one workspace, set workspace (and workspace_deps), or run "
                           f"`dockgen detect {root / next(iter(found))}` for it")
