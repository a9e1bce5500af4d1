"""The build container cannot drift from a bare machine: the Dockerfile installs exactly
what tools/setup.sh installs (it runs that script on the same package list), and, where a
container engine works, the container builds //firmware:image_tiny to the same bytes.

Without a working engine (`docker info` fails) the container build is skipped with the
reason. To run it on a Debian machine: `apt-get install docker.io debootstrap`, start the
engine (`dockerd &`, or `systemctl start docker`), then
`bazel test //tests:container_test --test_output=streamed`. With no image registry the
base image is made from Debian's packages (tools/container/make_base_image.sh).
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
    assert {"bazel-bootstrap", "qemu-system-arm", "gcc-arm-none-eabi", "golang-go"} <= set(packages)


def engine_problem() -> str | None:
    docker = shutil.which("docker")
    if docker is None:
        return "no docker client on PATH"
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return f"`docker info` failed: {(info.stderr or info.stdout).strip().splitlines()[-1]}"
    return None


BASE_IMAGE = "debian:bookworm"
BASE_IMAGE_HELP = (
    f"the base image {BASE_IMAGE} is neither local nor pullable, and it could not be made from "
    "Debian's packages: install debootstrap and run tools/container/make_base_image.sh"
)
# The machine's trust store and pip settings, for sites whose registries are reached
# through a TLS proxy with its own CA (the container's own store lacks it).
HOST_TRUST = [Path("/etc/ssl/certs/ca-certificates.crt"), Path("/etc/pip.conf")]


def ensure_base_image(workspace: Path) -> None:
    def present() -> bool:
        return (
            subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, check=False).returncode == 0
        )

    if present() or subprocess.run(["docker", "pull", BASE_IMAGE], check=False).returncode == 0:
        return
    # No registry: the same tag, built from Debian's packages.
    made = subprocess.run([str(workspace / "tools/container/make_base_image.sh"), BASE_IMAGE], check=False)
    if made.returncode != 0 or not present():
        pytest.fail(BASE_IMAGE_HELP)


@pytest.mark.skipif(engine_problem() is not None, reason=f"no working container engine: {engine_problem()}")
def test_container_builds_the_same_image() -> None:
    workspace = Path("WORKSPACE").resolve().parent
    ensure_base_image(workspace)
    subprocess.run(["docker", "build", "-t", "tinyml-build", str(workspace)], check=True)
    # A copy of the sources, so that the container's bazel-* links do not touch the checkout.
    script = (
        "cp -a /source/. /workspace/ && cd /workspace && rm -f bazel-* user.bazelrc"
        " && ./bazelw build //firmware:image_tiny >&2 && sha256sum bazel-bin/firmware/image_tiny.elf"
    )
    mounts = ["-v", f"{workspace}:/source:ro"]
    for path in HOST_TRUST:
        if path.exists():
            mounts += ["-v", f"{path}:{path}:ro"]
    inside = subprocess.run(
        ["docker", "run", "--rm", *mounts, "tinyml-build", "bash", "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout.split()[0]
    outside = hashlib.sha256(Path("firmware/image_tiny.elf").read_bytes()).hexdigest()
    print(f"image_tiny.elf sha256: {outside} here, {inside} in the container")
    assert inside == outside, "the container built different bytes than this machine"


if __name__ == "__main__":
    problem = engine_problem()
    if problem:
        print(f"container build skipped: no working container engine ({problem})")
    raise SystemExit(pytest.main([__file__, "-q", "-rs"]))
