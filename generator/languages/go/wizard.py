"""Go questions of `dockgen new` (after the language), its summary and its warnings."""

from __future__ import annotations

from typing import Any

from questionary import Choice

from ...detection import Detection
from ...model import preset_mapping
from ...wizard import Prompter, ask_text, ask_timezone, mark, select_or_custom
from .model import BASES, DEFAULT_GO_VERSION, GO_VERSIONS, KNOWN_MIRRORS, GoPreset
from .render import images_for

#: A one-line consequence of each runtime base, shown next to it.
BASE_CONSEQUENCES = {
    "distroless": "binary + ~2 MB: CA certificates, tzdata, passwd; no shell (recommended)",
    "scratch": "binary + ~220 kB: CA certificates, passwd, /tmp; nothing else",
    "alpine": "binary + ~8 MB: busybox shell and apk, for debugging in the container",
}


def ask_answers(prompter: Prompter, defaults: GoPreset, detection: Detection | None = None) -> dict[str, Any]:
    """Ask the Go questions, starting from ``defaults``; returns the preset keys (not yet validated as a whole)."""
    detected = detection.values if detection else {}
    answers: dict[str, Any] = {}
    version_choices = [
        Choice(mark(f"{v}{'  (newest)' if v == DEFAULT_GO_VERSION else ''}", v, detected, "go_version"), value=v)
        for v in GO_VERSIONS
    ]
    answers["go_version"] = prompter.select("Go version (of the build image)?", version_choices, defaults.go_version)
    answers["cgo"] = prompter.select("cgo?", [
        Choice(mark("no: a static binary (CGO_ENABLED=0)", False, detected, "cgo"), value=False),
        Choice(mark("yes: links against glibc, runs on distroless base", True, detected, "cgo"), value=True),
    ], defaults.cgo)
    base_choices = [
        Choice(f"{base:<11}{BASE_CONSEQUENCES[base]}", value=base,
               disabled="cgo needs glibc" if answers["cgo"] and base != "distroless" else None)
        for base in BASES
    ]
    answers["base"] = prompter.select("Runtime base image?", base_choices,
                                      "distroless" if answers["cgo"] else defaults.base)
    answers["package"] = ask_text(prompter, "go", "package", "Main package to build (. or ./cmd/NAME)?",
                                  defaults.package)
    if defaults.vendor:  # detected (vendor/modules.txt) or from --preset: not asked
        answers["vendor"] = True
    else:
        if defaults.local_modules:
            answers["local_modules"] = list(defaults.local_modules)
        mirror = select_or_custom(
            prompter, "go", "registry_mirror", "Go module proxy (GOPROXY, used at build time only)?",
            [(url, f"{name} ({url})") for name, url in KNOWN_MIRRORS.items()], defaults.registry_mirror,
            "Module proxy URL (https://...)?")
        if mirror:
            answers["registry_mirror"] = mirror
    timezone = ask_timezone(prompter, "go", defaults.timezone)
    if timezone:
        answers["timezone"] = timezone
    answers["port"] = ask_text(prompter, "go", "port", "Port the app listens on?", str(defaults.port))
    return answers


def summary_rows(preset: GoPreset) -> list[tuple[str, Any]]:
    """The summary `dockgen new` shows before writing: (key, value) rows."""
    rows: list[tuple[str, Any]] = []
    for key, value in preset_mapping(preset).items():
        if key == "description":
            continue
        rows.append((key, ", ".join(value) if isinstance(value, tuple) else value))
        if key == "base":
            rows.append(("runtime image", images_for(preset).runtime))
    return rows


def plan_warnings(preset: GoPreset, detection: Detection, warnings: list[str]) -> list[str]:
    """The render's ``warnings`` for the wizard, without the cgo one detection already gave."""
    if detection.values.get("cgo") and preset.cgo:
        warnings = [w for w in warnings if not w.startswith("cgo:")]
    return list(warnings)
