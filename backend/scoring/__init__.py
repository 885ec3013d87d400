"""Scoring: pure functions from rubrics + observations to scores, grades, money and rankings.

Public API (stable; the rest of the product calls these):

    engine.score(rubric, observations, *, peers=None, catalogs=None) -> ScoreResult
    engine.score_peers(rubric, observations_by_subject, *, catalogs=None) -> dict[str, ScoreResult]
    composite.score_composite(composite, part_results, bonus_observations=None, *, subject=None)
    composite.score_town(composite, rubrics, compounds, *, catalogs=None, designated=None) -> TownResult
    composite.company_score(rule, project_scores, direct_score, *, company="") -> CompanyResult
    ranking.rank(scores) -> list[Ranked];  ranking.award_prizes(ranking, prizes, designated)
    money.grade_for(bands, score);  money.subsidy(rule, grade, area_m2, period, moved_in)
    observations.from_data(data) / load_observations(path)

Finding catalog look-ups (tickets): `Catalog.entry(code)` → deadline (amount, unit), deduction.
No database, no HTTP, no clock: the assessment date comes in `Observations.as_of`.
"""
