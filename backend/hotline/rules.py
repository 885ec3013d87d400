"""The hotline rules kept as data beside the catalog (rubrics/hotline.yaml): the keywords that
give an order its catalog type, and the words of a callback that says the problem was not fixed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from backend.config import get_settings
from backend.hotline.matching import TypeRule


@dataclass(frozen=True)
class Rules:
    types: tuple[TypeRule, ...]
    callback_failed_words: tuple[str, ...]


@lru_cache(maxsize=4)
def _load(path: str, _mtime: float) -> Rules:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return Rules(tuple(TypeRule(r["code"], tuple(r["words"])) for r in doc["keywords"]),
                 tuple(doc.get("callback_failed_words") or ()))


def rules() -> Rules:
    """The deployment's rules, read again when the file changes."""
    path = Path(get_settings().rubrics_dir) / "hotline.yaml"
    return _load(str(path), path.stat().st_mtime)
