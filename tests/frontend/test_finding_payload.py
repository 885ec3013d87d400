"""The phone's finding payload (frontend/logic/finding.js) is exactly what the server's FindingIn
takes: every field of the finding's model family and nothing else, so that a field added to
`FindingBase` without the phone fails here (backend/findings/models.py: the four places)."""

from __future__ import annotations

from backend.findings.schemas import FindingIn
from tests.frontend.node import run_module

SCRIPT = """
import { findingPayload } from './logic/finding.js';
let input = ''; for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([entry, extra]) => findingPayload(entry, extra));
process.stdout.write(JSON.stringify(out));
"""

COMPOUND = "0190a0b0-0000-7000-8000-000000000001"
ENTRIES = [
    # the finding form: catalog type JC04 (rubrics/catalog.yaml), a position
    ({"compoundId": COMPOUND, "type": {"code": "JC04", "name": "井盖缺损"},
      "building": "3号楼", "source": "patrol"},
     {"id": "0190a0b0-0000-7000-8000-0000000000a1", "observedAt": "2026-11-20T10:03:00+08:00",
      "position": {"latitude": 31.2301, "longitude": 121.4737, "accuracy": 12.5}}),
    # a hotline case with its number, no position
    ({"compoundId": COMPOUND, "description": "居民反映消防通道被占", "source": "hotline",
      "caseNo": "RX20261120001"},
     {"id": "0190a0b0-0000-7000-8000-0000000000a2", "observedAt": "2026-11-20T10:05:00+08:00"}),
    # a rubric inspection's problem
    ({"compoundId": COMPOUND, "description": "楼道堆放杂物", "source": "announced",
      "inspectionId": "0190a0b0-0000-7000-8000-0000000000b1", "rubricItem": "2.1"},
     {"id": "0190a0b0-0000-7000-8000-0000000000a3", "observedAt": "2026-11-20T10:07:00+08:00"}),
]


def test_the_phone_sends_every_field_of_a_finding_and_nothing_else():
    payloads = run_module(SCRIPT, ENTRIES)
    expected = set(FindingIn.model_fields) - {"photos"}  # sync.js declares the photos
    for payload in payloads:
        assert set(payload) == expected, set(payload) ^ expected
        FindingIn.model_validate(payload)  # the server's own validation


def test_what_the_form_entered_is_what_the_server_reads():
    form, hotline, rubric = (FindingIn.model_validate(p) for p in run_module(SCRIPT, ENTRIES))
    assert (form.catalog_code, form.description, form.building, form.accuracy_m) == \
        ("JC04", "井盖缺损", "3号楼", 13)  # metres, rounded
    assert (hotline.source, hotline.case_no, hotline.latitude) == ("hotline", "RX20261120001", None)
    assert (str(rubric.inspection_id), rubric.rubric_item) == \
        ("0190a0b0-0000-7000-8000-0000000000b1", "2.1")
