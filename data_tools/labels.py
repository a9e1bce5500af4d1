"""Class labels and the names users give them.

A folder name (or a CSV label) maps to one of the two classes through an alias table;
anything else is an error, never a silent skip.
"""

from __future__ import annotations

PERSON = "person"
NO_PERSON = "no_person"
CLASSES = (NO_PERSON, PERSON)

DEFAULT_ALIASES: dict[str, str] = {
    "person": PERSON,
    "people": PERSON,
    "human": PERSON,
    "face": PERSON,
    "no_person": NO_PERSON,
    "no-person": NO_PERSON,
    "noperson": NO_PERSON,
    "non_person": NO_PERSON,
    "empty": NO_PERSON,
    "background": NO_PERSON,
}


class LabelError(ValueError):
    """A name that is not a known label or alias."""


def parse_aliases(specs: list[str]) -> dict[str, str]:
    """Extends the default aliases with `name=label` pairs (e.g. `persons=person`)."""
    aliases = dict(DEFAULT_ALIASES)
    for spec in specs:
        name, _, label = spec.partition("=")
        if not name or label not in CLASSES:
            raise LabelError(f"--label_alias {spec!r}: expected NAME=LABEL with LABEL one of {', '.join(CLASSES)}")
        aliases[name.strip().lower()] = label
    return aliases


def resolve(name: str, aliases: dict[str, str], where: str) -> str:
    """The class a folder or CSV label names; `where` says where the name was found."""
    label = aliases.get(name.strip().lower())
    if label is None:
        known = ", ".join(sorted(aliases))
        raise LabelError(f"{where}: unknown label {name!r} (known: {known}; add one with --label_alias NAME=LABEL)")
    return label
