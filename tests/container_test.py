"""The build container cannot drift from a bare machine: the Dockerfile installs exactly
what tools/setup.sh installs (it runs that script on the same package list), and, where a
container engine works, the container builds //firmware:image_tiny to the same bytes.

Without a working engine (`docker info` fails) the container build is skipped with the
reason; run it where Docker works with
`bazel test //tests:container_test --test_output=streamed`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOCKERFILE = Path("Dockerfile")
PACKAGES = Path("tools/debian-packages.txt")
SETUP = Path("tools/setup.sh")


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_starts_from_debian_bookworm() -> None:
    assert instructions()[0] == ("FROM", "debian:bookworm")


def test_dockerfile_installs_what_setup_installs() -> None:
    steps = instructions()
    copied = " ".join(arguments for kind, arguments in steps if kind == "COPY")
    assert str(SETUP) in copied and str(PACKAGES) in copied, "the image must get the script and its package list"
    runs = [arguments for kind, arguments in steps if kind == "RUN"]
    assert any("setup.sh" in run for run in runs), "the image must run tools/setup.sh"
    # Nothing installed behind the script's back: one list, one installer.
    assert not any(re.search(r"\bapt(-get)?\s+install\b", run) for run in runs)


def test_setup_reads_the_package_list_it_ships_with() -> None:
    script = SETUP.read_text()
    assert "tools/debian-packages.txt" in script
    packages = [line.split("#")[0].strip() for line in PACKAGES.read_text().splitlines()]
    assert {"bazel-bootstrap", "qemu-system-arm", "gcc-arm-none-eabi", "nginx-core"} <= set(packages)


def engine_problem() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "no docker client on PATH"
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return f"`docker info` failed: {(info.stderr or info.stdout).strip().splitlines()[-1]}"
    return None


BASE_IMAGE_HELP = (
    "the base image debian:bookworm is neither local nor pullable; with no registry, make it from "
    "Debian's packages: debootstrap bookworm /tmp/rootfs && tar -C /tmp/rootfs -c . | docker import - debian:bookworm"
)


@pytest.mark.skipif(engine_problem() is not None, reason=f"no working container engine: {engine_problem()}")
def test_container_builds_the_same_image() -> None:
    workspace = Path("WORKSPACE").resolve().parent
    base = subprocess.run(["docker", "image", "inspect", "debian:bookworm"], capture_output=True, check=False)
    if base.returncode != 0 and subprocess.run(["docker", "pull", "debian:bookworm"], check=False).returncode != 0:
        pytest.fail(BASE_IMAGE_HELP)
    subprocess.run(["docker", "build", "-t", "tinyml-build", str(workspace)], check=True)
    # A copy of the sources, so that the container's bazel-* links do not touch the checkout.
    script = (
        "cp -a /source /workspace && cd /workspace && ./bazelw build //firmware:image_tiny >&2"
        " && sha256sum bazel-bin/firmware/image_tiny.elf"
    )
    inside = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{workspace}:/source:ro", "tinyml-build", "bash", "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[0]
    outside = hashlib.sha256(Path("firmware/image_tiny.elf").read_bytes()).hexdigest()
    assert inside == outside, "the container built different bytes than this machine"


if __name__ == "__main__":
    problem = engine_problem()
    if problem:
        print(f"container build skipped: no working container engine ({problem})")
    raise SystemExit(pytest.main([__file__, "-q", "-rs"]))
