"""Bad observation files give clear errors: file, line, reason (and the CLI exits non-zero)."""

import pytest
from typer.testing import CliRunner

from backend.cli import app
from backend.rubrics.loader import SourceError
from backend.scoring.engine import score
from backend.scoring.observations import load_observations


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _score(lib, path):
    _, subjects, _ = load_observations(path)
    (o,) = subjects.values()
    return score(lib.get("E"), o)


def test_bad_observations_json_syntax_error_names_line(tmp_path):
    p = _write(tmp_path, "o.json", '{\n  "observations": {\n    "1": {"no_contract": true,}\n  }\n}\n')
    with pytest.raises(SourceError) as e:
        load_observations(p)
    assert e.value.line == 3 and "JSON" in str(e.value) and str(e.value).startswith(p + ":3:")


def test_bad_observations_unknown_item_names_line(lib, tmp_path):
    p = _write(tmp_path, "o.json", '{\n  "observations": {\n    "1": {},\n    "99": {"x": 1}\n  }\n}\n')
    with pytest.raises(SourceError) as e:
        _score(lib, p)
    assert e.value.line == 4 and "99" in e.value.reason


def test_bad_observations_unknown_clause_names_line(lib, tmp_path):
    p = _write(tmp_path, "o.json", '{"observations": {\n "18": {\n  "missng": 3}}}\n')
    with pytest.raises(SourceError) as e:
        _score(lib, p)
    assert e.value.line == 3 and "missng" in e.value.reason and "missing" in e.value.reason


def test_bad_observations_wrong_type_names_line(lib, tmp_path):
    p = _write(tmp_path, "o.json", '{"observations": {\n "18": {"missing": -2},\n "1": {"no_contract": "yes"}}}\n')
    with pytest.raises(SourceError) as e:
        _score(lib, p)
    # items are checked in rubric order: item 1 (line 3) comes before item 18 (line 2)
    assert e.value.line == 3 and "true 或 false" in e.value.reason


def test_bad_observations_sample_over_households(lib, tmp_path):
    p = _write(tmp_path, "o.yaml", "observations:\n  '20':\n    satisfaction: {value: 80, sampled: 20, households: 10}\n")
    with pytest.raises(SourceError) as e:
        _score(lib, p)
    assert e.value.line == 3


def test_bad_observations_time_node_date_outside_period(lib, tmp_path):
    p = _write(tmp_path, "o.json", '{"period": {"start": "2021-01-01", "end": "2021-06-30"},\n'
                                   ' "observations": {"2": {\n  "ledger": {"2021-09-20": null}}}}\n')
    _, subjects, _ = load_observations(p)
    with pytest.raises(SourceError) as e:
        score(lib.get("X"), next(iter(subjects.values())))
    assert e.value.line == 3 and "2021-09-20" in e.value.reason


def test_cli_score_bad_file_exits_1_without_traceback(tmp_path):
    p = _write(tmp_path, "o.json", '{"observations": {"18": {"missing": "many"}}}')
    res = CliRunner().invoke(app, ["score", "E", p])
    assert res.exit_code == 1
    assert "Traceback" not in res.output and f"{p}:1:" in res.output


def test_cli_score_examples_run(lib):
    """`xunjian score` on every example prints JSON / a table without error."""
    from backend.rubrics.loader import default_rubrics_dir
    import json
    ex = default_rubrics_dir() / "examples"
    for rid in ("S", "X", "P", "D", "E", "L", "town", "company"):
        res = CliRunner().invoke(app, ["score", rid, str(ex / f"{rid}.json")])
        assert res.exit_code == 0, (rid, res.output)
        json.loads(res.output)
        res = CliRunner().invoke(app, ["score", rid, str(ex / f"{rid}.json"), "--table"])
        assert res.exit_code == 0, (rid, res.output)
