"""Content digests: how a repeat of a phone's record is told from a reuse of its id.

A record sent again with the same id must be recognised as the same content after an upgrade
too: a phone may retry a finding it queued before the server gained a field. So the digest
leaves out every field at its default (`exclude_defaults`): a field added later, with a
default, changes no digest of a record that does not use it. The JSON is pydantic's, in the
model's field order (~3x cheaper than sorting keys in Python); tests pin known digests, so a
reordering of fields cannot pass unnoticed.

Records stored by earlier versions carry one of two older digests, still recognised:
- v1: the JSON of every field of the model as it was (`legacy_fields`, in that order);
- v0: the JSON of those fields with sorted keys (`json.dumps`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import pydantic_core
from pydantic import BaseModel


def digest(model: BaseModel, *, exclude: set[str] | None = None) -> str:
    return hashlib.sha256(model.model_dump_json(exclude_defaults=True, exclude=exclude)
                          .encode()).hexdigest()


def same_content(stored: str | None, model: BaseModel, *, legacy_fields: Iterable[str],
                 exclude: set[str] | None = None, current: str | None = None) -> bool:
    """Whether a stored digest is this content's, by today's digest (`current`, when the
    caller has it) or an earlier version's."""
    if stored is None:
        return False
    if stored == (current or digest(model, exclude=exclude)):
        return True
    fields = list(legacy_fields)
    if any(name not in fields and getattr(model, name) != info.get_default(call_default_factory=True)
           for name, info in type(model).model_fields.items() if name not in (exclude or ())):
        return False  # a field the earlier version did not have is in use: a new content
    v1 = pydantic_core.to_json({name: getattr(model, name) for name in fields})
    if stored == hashlib.sha256(v1).hexdigest():
        return True
    v0 = json.dumps(model.model_dump(mode="json", include=set(fields)), sort_keys=True,
                    ensure_ascii=False, default=str, separators=(",", ":"))
    return stored == hashlib.sha256(v0.encode()).hexdigest()
