"""Malformed rubric files are rejected with file, line and reason; check catches bad sums/references."""

import pytest
from typer.testing import CliRunner

from backend.cli import app
from backend.rubrics.loader import SourceError, load_dir, load_document
from backend.rubrics.validate import check_library

GOOD = """kind: rubric
id: T
name: 测试
source: test
subject: 小区
total: 10
items:
  - id: "1"
    title: 甲
    standard: 标准
    scoring_text: 扣分
    points: 6
    clauses:
      - {id: a, type: per_unit, per: 0.5, unit: 次}
  - id: "2"
    title: 乙
    standard: 标准
    scoring_text: 扣分
    points: 4
    clauses:
      - {id: b, type: fixed, amount: 4}
"""


def _write(tmp_path, text, name="t.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_good_file_loads(tmp_path):
    assert load_document(_write(tmp_path, GOOD)).id == "T"


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p = _write(tmp_path, GOOD.replace("    title: 乙", "    title: [乙"))
    with pytest.raises(SourceError) as e:
        load_document(p)
    assert str(e.value).startswith(f"{p}:") and "YAML" in e.value.reason and e.value.line


def test_unknown_field_names_its_line(tmp_path):
    p = _write(tmp_path, GOOD.replace("    points: 4", "    pionts: 4"))
    with pytest.raises(SourceError) as e:
        load_document(p)
    assert e.value.line == 19 and "pionts" in e.value.reason and "未知字段" in e.value.reason


def test_bad_clause_type_names_its_line(tmp_path):
    p = _write(tmp_path, GOOD.replace("type: fixed", "type: fixd"))
    with pytest.raises(SourceError) as e:
        load_document(p)
    assert e.value.line == 21


def test_duplicate_key_is_rejected(tmp_path):
    p = _write(tmp_path, GOOD.replace("    points: 6", "    points: 6\n    points: 7"))
    with pytest.raises(SourceError) as e:
        load_document(p)
    assert e.value.line == 13 and "重复" in e.value.reason


def test_points_not_adding_up_is_a_check_error(tmp_path):
    _write(tmp_path, GOOD.replace("total: 10", "total: 12"))
    issues = check_library(load_dir(tmp_path))
    errs = [i for i in issues if i.level == "error"]
    assert len(errs) == 1 and "10" in errs[0].message and "12" in errs[0].message and errs[0].line == 6


def test_unresolved_reference_is_a_check_error(tmp_path):
    _write(tmp_path, """kind: composite
id: town
name: t
source: t
parts: [{rubric: NOPE, weight: 1}]
tie_rule: none
""")
    issues = check_library(load_dir(tmp_path))
    assert any(i.level == "error" and "NOPE" in i.message and i.line == 5 for i in issues)


def test_cli_check_fails_with_file_line_and_no_traceback(tmp_path):
    _write(tmp_path, GOOD.replace("    points: 4", "    pionts: 4"))
    _write(tmp_path, "kind: something\n", name="worktime.yaml")  # another engineer's file: skipped
    res = CliRunner().invoke(app, ["rubrics", "check", str(tmp_path)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "t.yaml:19:" in res.output and "worktime" not in res.output


def test_cli_check_real_rubrics_passes():
    res = CliRunner().invoke(app, ["rubrics", "check"])
    assert res.exit_code == 0, res.output
    assert "0 个错误" in res.output
