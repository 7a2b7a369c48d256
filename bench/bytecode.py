"""`python -m bench.bytecode`: what the layer's bytecode saves each cold start (issue 20).

Lambda mounts a layer read-only at /opt, so a module the layer ships without bytecode is
compiled at every cold start and kept nowhere. This builds the layer as `sam build` does
(`shared/Makefile`, with this machine's Python 3.13 and its wheels), copies it without its
`__pycache__` folders (the layer sam's `python3.13` build method made), and imports
`boto3` and each handler in fresh interpreters with one layer or the other alone on
sys.path, as Lambda puts it there: the median CPU time of each import. The functions'
own code ships as source either way. Prints figures; asserts nothing.

python -m bench.bytecode --repeats 7
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.pipeline import PROJECT_ROOT
from pressroom_local.layer import build_layer, lambda_python
from pressroom_local.template import load_template

_IMPORT = """
import json, sys, time
sys.path[:0] = json.loads(sys.argv[1])
started = time.process_time()
__import__(sys.argv[2])
print(time.process_time() - started)
"""
_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "LANG": "C.UTF-8",
}


def handlers() -> dict[str, tuple[str, Path]]:
    """Each function's handler module and its code folder, from template.yaml."""
    resources = load_template(PROJECT_ROOT / "template.yaml")["Resources"]
    return {
        name: (
            resource["Properties"]["Handler"].rpartition(".")[0],
            PROJECT_ROOT / resource["Properties"]["CodeUri"],
        )
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def import_cpu_ms(python: Path, search_path: list[Path], module: str, cwd: Path) -> float:
    """CPU time of one import in a fresh interpreter: -I -S, so the standard library and
    `search_path` alone; -B, so it leaves no bytecode behind, as on /opt."""
    search = json.dumps([str(folder) for folder in search_path])
    done = subprocess.run(  # nosec B603: this project's own modules
        [str(python), "-I", "-S", "-B", "-c", _IMPORT, search, module],
        env=_ENVIRONMENT,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip()) * 1000


def main(arguments: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args(arguments)
    python = lambda_python()
    if python is None:
        print("no Python 3.13 on this machine: the layer's bytecode is Lambda's version's")
        return 1
    uv = Path(sys.executable).parent / "uv"
    with tempfile.TemporaryDirectory(prefix="pressroom-bytecode-") as scratch:
        compiled = build_layer(PROJECT_ROOT, Path(scratch) / "compiled", uv=uv, python=python)
        source_only = Path(scratch) / "source" / "python"
        shutil.copytree(compiled, source_only, ignore=shutil.ignore_patterns("__pycache__"))
        code = Path(scratch) / "code"
        modules = {"import boto3": ("boto3", PROJECT_ROOT / "functions")}
        for name, (module, folder) in handlers().items():
            shutil.copytree(folder, code / name, ignore=shutil.ignore_patterns("__pycache__"))
            modules[name] = (module, code / name)
        rows = []
        for name, (module, folder) in modules.items():
            medians = []
            for layer in (source_only, compiled):
                times = [
                    import_cpu_ms(python, [folder, layer], module, folder)
                    for _ in range(options.repeats)
                ]
                medians.append(statistics.median(times))
            rows.append((name, *medians))
    print(f"Import CPU time, median of {options.repeats} fresh interpreters (ms), the layer alone:")
    print()
    print("| import | without bytecode | with bytecode | saved |")
    print("| --- | --- | --- | --- |")
    for name, without, with_ in rows:
        saved = f"{without - with_:,.0f} ms, {without / with_:.2f} times"
        print(f"| {name} | {without:,.0f} | {with_:,.0f} | {saved} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
