"""The encoded seeds load, add up and flag what the seeds leave blank or doubtful."""

import json

import pytest

from backend.rubrics.loader import Overlay, default_rubrics_dir, load_dir
from backend.rubrics.models import schemas
from backend.rubrics.validate import check_library, describe, settable_values

RUBRICS = default_rubrics_dir()


def _issues():
    lib = load_dir(RUBRICS)
    return lib, check_library(lib)


def test_rubrics_check_all_seed_files_without_errors():
    lib, issues = _issues()
    assert not [i for i in issues if i.level == "error"], [str(i) for i in issues if i.level == "error"]
    assert set(lib.documents) == {"finding-catalog", "S", "X", "P", "D", "E", "L", "town", "company"}


def test_seed002_annex2_blanks_are_warnings_naming_the_item():
    """附件2: 分值 column empty (items 1–5) and two blank amounts (扣\\n分): warnings, never a silent 0."""
    _, issues = _issues()
    warns = [str(i) for i in issues if i.level == "warning" and "P.yaml" in i.file]
    for n in "12345":
        assert any(f"第{n}项" in w and "分值" in w for w in warns), n
    # each blank clause by its words, as an admin reads them (not by its id, delay_or_shirk)
    assert any("第3项" in w and "条款“拖延、推诿处理造成后果的有一例" in w for w in warns)
    assert any("第5项" in w and "条款“未正常开展每少一次扣分”" in w for w in warns)


def test_seed002_annex4_2024_amounts_and_seed004_grades_are_flagged():
    _, issues = _issues()
    warns = [str(i) for i in issues if i.level == "warning"]
    assert any("二等奖" in w and "2024" in w for w in warns)
    assert any("红色物业" in w and "2024" in w for w in warns)
    for g in ("AAA", "AA", "A", "B"):
        assert any(f"{g} 的 分数线" in w for w in warns), g


def test_seed002_annex1_catalog_26_types_with_codes_and_deadlines():
    """26 types: 基础设施 7, 环境秩序 15, 绿化管理 3, 违法建设 1; each deducts 1 per occurrence.
    (Our 其他问题 comes after them: see the next test.)"""
    cat = load_dir(RUBRICS).get("finding-catalog")
    seed_types = [e for e in cat.entries if not e.catch_all]
    assert len(seed_types) == 26
    counts = {}
    for e in seed_types:
        counts[e.category] = counts.get(e.category, 0) + 1
        assert e.deduction == 1 and e.responsible == "物管科.各小区物业"
    assert counts == {"基础设施": 7, "环境秩序": 15, "绿化管理": 3, "违法建设": 1}
    by_name = {e.name: e for e in cat.entries}
    expect = {"井盖缺损": (3, "工作日"), "消防设施缺损": (3, "工作日"), "清扫保洁不干净": (2, "工作时"),
              "占用消防通道": (4, "工作时"), "破坏绿化": (4, "工作时"), "建筑垃圾处置不规范": (1, "工作日"),
              "私搭乱建": (7, "工作日")}
    for name, (amount, unit) in expect.items():
        d = by_name[name].deadline
        assert (d.amount, d.unit) == (amount, unit), name
    assert cat.entry("JC04").name == "井盖缺损" and cat.entry("WJ01").name == "私搭乱建"
    assert "代码" in cat.code_scheme and "为空" in cat.code_scheme


def test_the_catch_all_type_is_ours_costs_nothing_and_its_deadline_is_set_locally():
    """The seed lists 26 types and a deduction for each; a problem outside them (其他问题) is still
    dispatched, but the seed gives it no deduction, and its deadline is each place's to set."""
    cat = load_dir(RUBRICS).get("finding-catalog")
    [other] = [e for e in cat.entries if e.catch_all]
    assert (other.code, other.name, other.category, other.deduction) == ("QT01", "其他问题", "其他", 0)
    assert (other.deadline.count, other.deadline.unit) == (3, "工作日")
    assert other.model_dump(mode="json")["deadline"] == {"amount": 3, "unit": "工作日"}  # as phones read it
    [(path, value)] = [(p, v) for p, v in settable_values(cat)]
    assert path == ("entries", cat.entries.index(other), "deadline", "amount") and value.value == 3
    assert describe(cat, path) == "QT01 其他问题 的处置时限（工作日）"


@pytest.mark.parametrize("value, message", [("0", "不小于 1 的整数"), ("2.5", "不小于 1 的整数")])
def test_the_catch_all_deadline_must_be_a_whole_number_of_days(value, message):
    cat = load_dir(RUBRICS).get("finding-catalog")
    key = f"finding-catalog:entries/{next(i for i, e in enumerate(cat.entries) if e.catch_all)}/deadline/amount"
    lib = load_dir(RUBRICS, Overlay(1, {key: value}, {}))
    assert "finding-catalog" not in lib.documents
    assert any(message in e.reason for e in lib.errors)


def test_every_item_keeps_its_seed_text():
    """Inspectors see the rule as written: every rubric item has its standard and scoring text."""
    lib = load_dir(RUBRICS)
    for r in lib.rubrics().values():
        for it in r.items:
            assert it.standard and it.scoring_text, (r.id, it.id)


def test_published_json_schema_matches_models():
    """rubrics/schema/*.schema.json is what models.schemas() generates (regenerate with
    `xunjian rubrics schema`)."""
    for name, schema in schemas().items():
        published = json.loads((RUBRICS / "schema" / name).read_text(encoding="utf-8"))
        assert published == json.loads(json.dumps(schema)), name
