"""Issue 12 §9 (and issue 13's must-show): upgrades never turn a retry into a conflict.

A phone may retry a finding it queued before the server gained a field. The digest a repeat is
compared by leaves out every field at its default (backend/digest.py), so a field added with a
default changes no stored digest; findings stored by the earlier versions carry their digests
(v1: the full JSON of the model as it was; v0: sorted keys) and are still recognised."""

from __future__ import annotations

import hashlib
import uuid

from pydantic import BaseModel, Field

from backend.dbtypes import AwareDatetime
from backend.digest import digest, same_content
from backend.findings.models import CaseLevel, Finding, Source
from backend.findings.schemas import FindingIn, PhotoDecl
from backend.findings.service import FINDING_V1_FIELDS


class FindingInAsOf5c37882(BaseModel):
    """FindingIn as commit 5c37882 defined it, whose model_dump_json() was the stored digest."""

    id: uuid.UUID
    compound_id: uuid.UUID
    catalog_code: str | None = None
    inspection_id: uuid.UUID | None = None
    rubric_item: str | None = None
    description: str = ""
    building: str | None = None
    location_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    source: Source = Source.patrol
    case_no: str | None = None
    case_level: CaseLevel | None = None
    observed_at: AwareDatetime
    photos: list[PhotoDecl] = Field(default_factory=list)


class FindingInWithANewField(FindingIn):
    """The next version, with a field the phone that queued the finding did not know."""

    priority: str | None = None


BODY = {"id": "01a24881-8225-7249-97d3-11c6f4797e2e",
        "compound_id": "01a24881-8225-7249-97d3-11c6f4797e2f", "catalog_code": "JC04",
        "description": "3号楼东侧雨水箅子缺失", "building": "3号楼", "latitude": 31.2301,
        "longitude": 121.4737, "accuracy_m": 12.5, "source": "patrol",
        "observed_at": "2026-11-20T10:03:00+08:00",
        "photos": [{"sha256": "ab" * 32, "bytes": 412345}]}


def test_the_digest_of_a_finding_is_pinned():
    """Reordering or renaming FindingIn's fields would change every stored digest: caught here."""
    assert digest(FindingIn.model_validate(BODY)) == \
        "1c26dea2aaf5d1274874c710b2d56f44a9a16bfd3703548c4bdac144288933b2"


def test_a_field_added_with_a_default_changes_no_digest():
    assert digest(FindingInWithANewField.model_validate(BODY)) == \
        digest(FindingIn.model_validate(BODY))
    used = FindingInWithANewField.model_validate({**BODY, "priority": "紧急"})
    assert digest(used) != digest(FindingIn.model_validate(BODY))


def test_a_finding_stored_under_todays_fields_is_still_the_same_after_an_upgrade():
    stored = hashlib.sha256(FindingInAsOf5c37882.model_validate(BODY).model_dump_json()
                            .encode()).hexdigest()
    for model in (FindingIn, FindingInWithANewField):
        retry = model.model_validate(BODY)
        assert same_content(stored, retry, legacy_fields=FINDING_V1_FIELDS)
        changed = model.model_validate({**BODY, "description": "另一处问题"})
        assert not same_content(stored, changed, legacy_fields=FINDING_V1_FIELDS)
    # the new field in use: a new content, not the queued one
    assert not same_content(stored, FindingInWithANewField.model_validate(
        {**BODY, "priority": "紧急"}), legacy_fields=FINDING_V1_FIELDS)


def test_a_retry_of_a_finding_stored_by_the_earlier_version_is_a_duplicate(api, client, world, db):
    item = api.finding("inspector")
    assert api.post_finding("inspector", item).status_code == 201
    row = db.get(Finding, uuid.UUID(item["id"]))
    row.content_hash = hashlib.sha256(FindingInAsOf5c37882.model_validate(item)
                                      .model_dump_json().encode()).hexdigest()
    db.add(row)
    db.commit()
    again = api.post_finding("inspector", item)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    other = api.post_finding("inspector", {**item, "description": "另一处问题"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "uuid_reused"
