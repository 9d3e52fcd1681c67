"""Write the Dockerfile, .dockerignore and dockgen.yaml with the renderer of `dockgen render`.

Then the language's finish step (generator/languages/<language>/scaffold.py): Node.js moves the app to the
chosen entrypoint, keeps .yarnrc.yml for yarn berry only and, when install_dependencies is yes, runs the
package manager; Python keeps requirements.txt for pip only and, when asked, locks with uv or Poetry.
Every template's hooks are this one file and its pre_gen_project sibling (the others link here).

All logic lives in generator.scaffold (dockgen's package); this file only finds it and hands over.
"""

import json
import os
import sys
from pathlib import Path

# The answers, as JSON text inside a Python string literal (safe whatever the answers contain).
CONTEXT = json.loads({{ cookiecutter | jsonify | tojson }})


def _import_scaffold():
    try:
        from generator import scaffold
    except ImportError:
        # cookiecutter runs in a Python without dockgen: use the dockgen this template ships in
        # (a source checkout: <repo>/templates/<this>; a wheel: site-packages/generator/templates/<this>).
        repo_dir = Path(CONTEXT.get("_repo_dir") or ".")
        if not repo_dir.is_absolute():
            repo_dir = Path(os.environ.get("PWD", ".")) / repo_dir
        for root in list(repo_dir.resolve().parents)[1:3]:
            if (root / "generator" / "__init__.py").is_file():
                sys.path.insert(0, str(root))
                break
        try:
            from generator import scaffold
        except ImportError as exc:
            print(f"error: this template needs dockgen in cookiecutter's Python ({exc}); "
                  "install it with: pip install dockgen-cli", file=sys.stderr)
            sys.exit(1)
    return scaffold


sys.exit(_import_scaffold().run_hook("post_gen_project", CONTEXT, Path.cwd()))
