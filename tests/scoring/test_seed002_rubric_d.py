"""Seed 002 附件3 (rubric D): party-building demonstration score with its veto."""

from backend.scoring.engine import score


def _full_marks(lib):
    return {i.id: {"score": i.points} for i in lib.get("D").items if i.kind == "award"}


def test_seed002_annex3_veto_no_party_organisation_fails_whatever_else(lib, make_obs):
    """没有建立党组织的，一票否决: full marks elsewhere (100) still fails; total 0, grade 一票否决."""
    data = _full_marks(lib) | {"1.1.1": {"no_party_organisation": True}}
    r = score(lib.get("D"), make_obs(data))
    assert r.vetoed and r.total == 0 and r.grade == "一票否决"
    assert r.raw_total == 100
    assert any("一票否决" in w and "1.1.1" in w for w in r.warnings)


def test_seed002_annex3_full_marks_with_party_organisation_is_100(lib, make_obs):
    """With a party organisation and every criterion at its points: 20+15+22+10+20+13 = 100."""
    data = _full_marks(lib) | {"1.1.1": {"no_party_organisation": False}}
    r = score(lib.get("D"), make_obs(data))
    assert not r.vetoed and r.total == 100 and r.complete


def test_seed002_annex3_sections_20_15_22_10_20_13(lib):
    d = lib.get("D")
    assert [g.points for g in d.groups] == [20, 15, 22, 10, 20, 13]
    assert sum(i.points for i in d.items) == 100


def test_seed002_annex3_unscored_criterion_makes_result_incomplete(lib, make_obs):
    """A criterion left unscored is reported, not counted as 0 silently."""
    data = _full_marks(lib)
    del data["6.2.4"]
    r = score(lib.get("D"), make_obs(data))
    assert not r.complete and r.total == 97
    assert any("6.2.4" in w for w in r.warnings)
