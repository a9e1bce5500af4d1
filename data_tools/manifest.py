"""What happened to every input file, written as OUT/manifest.json.

Every file seen ends up in exactly one list: `kept` (with its split, label, group and the
sha256 of the PNG written), `duplicates` (exact or near, with the file it duplicates) or
`rejected` (with the reason; class balancing removals are rejections with reason
"balance: ..."). The totals reconcile: seen = kept + duplicates + rejected.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class KeptFile:
    source: str
    output: str
    sha256: str
    split: str
    label: str
    group: str
    provenance: dict[str, str] = field(default_factory=dict)  # origin, licence, label_source when known


@dataclass(frozen=True)
class DuplicateFile:
    source: str
    duplicate_of: str
    kind: str  # "exact" or "near"
    label: str


@dataclass(frozen=True)
class RejectedFile:
    source: str
    reason: str


@dataclass
class Manifest:
    settings: dict[str, object]
    kept: list[KeptFile] = field(default_factory=list)
    duplicates: list[DuplicateFile] = field(default_factory=list)
    rejected: list[RejectedFile] = field(default_factory=list)
    # Images per class before and after class balancing.
    balance: dict[str, dict[str, int]] = field(default_factory=dict)

    def totals(self) -> dict[str, object]:
        per_split = Counter(f"{item.split}/{item.label}" for item in self.kept)
        return {
            "seen": len(self.kept) + len(self.duplicates) + len(self.rejected),
            "kept": len(self.kept),
            "duplicates": len(self.duplicates),
            "rejected": len(self.rejected),
            "kept_by_split": dict(sorted(per_split.items())),
            "balance": self.balance,
        }

    def write(self, path: Path) -> None:
        document = {
            "settings": self.settings,
            "totals": self.totals(),
            "kept": [asdict(item) for item in sorted(self.kept, key=lambda item: item.output)],
            "duplicates": [asdict(item) for item in sorted(self.duplicates, key=lambda item: item.source)],
            "rejected": [asdict(item) for item in sorted(self.rejected, key=lambda item: item.source)],
        }
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
