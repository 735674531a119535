"""The employer-profile marts (mart_employer_profile, mart_employer_events, mart_employer_yearly)
agree with counts recomputed in pandas from the core facts on the small build, agree with the
watchlist on open and overdue items, and hold no personal data."""

from __future__ import annotations

import pandas as pd
import pytest

PERSONAL_COLUMNS = {"person_pseudonym", "person_id", "person_name", "name", "resident_id", "id_number", "sex",
                    "decision_no", "report_no"}
MARTS = ("mart_employer_profile", "mart_employer_events", "mart_employer_yearly")


@pytest.fixture(scope="module")
def facts(small_build):
    frame = small_build.frame
    as_of = pd.Timestamp(frame("SELECT as_of_date FROM marts.mart_data_as_of")["as_of_date"].iloc[0])
    return {
        "as_of": as_of,
        "samples": frame("SELECT province_code, uscc, sample_date, exceeds, rectified_date, "
                         "CAST(rectification_deadline AS DATE) AS deadline FROM marts.fct_exposure_samples"),
        "hazards": frame("SELECT province_code, uscc, is_major, deadline, rectified_date FROM marts.fct_hazards"),
        "claims": frame("SELECT province_code, uscc, is_recognised, is_fatal, incident_date, person_pseudonym "
                        "FROM marts.fct_injury_claims"),
        "od": frame("SELECT province_code, uscc, diagnosis_date, person_pseudonym FROM marts.fct_occupational_disease"),
        "accidents": frame("SELECT province_code, uscc, deaths FROM marts.fct_accidents"),
        "union": frame("SELECT province_code, uscc, issues_found, worker_complaints "
                       "FROM staging.stg_acftu_supervision"),
    }


@pytest.fixture(scope="module")
def profile(small_build) -> pd.DataFrame:
    return small_build.frame("SELECT * FROM marts.mart_employer_profile").set_index(["province_code", "uscc"])


def _counts(frame: pd.DataFrame, mask=None, value: str | None = None) -> pd.Series:
    rows = frame if mask is None else frame[mask]
    grouped = rows.groupby(["province_code", "uscc"])
    return (grouped[value].sum() if value else grouped.size()).astype(int)


def _check(profile: pd.DataFrame, column: str, expected: pd.Series) -> None:
    """Every employer's published count equals the recomputed one (0 where the facts have none)."""
    published = profile[column].astype(int)
    recomputed = expected.reindex(published.index, fill_value=0).astype(int)
    assert expected.sum() > 0, f"the small build should have some {column}"
    assert set(expected.index) <= set(published.index), f"{column}: employers missing from the profile"
    mismatches = published[published != recomputed]
    assert mismatches.empty, (column, mismatches.head())


def test_profile_counts_match_the_facts(profile, facts):
    as_of, window_start = facts["as_of"], facts["as_of"] - pd.Timedelta(days=365)
    samples = facts["samples"]
    exceeding = samples[samples["exceeds"].astype(bool)]
    sample_dates = pd.to_datetime(exceeding["sample_date"])
    _check(profile, "exceedances", _counts(exceeding))
    _check(profile, "exceedances_12m", _counts(exceeding, (sample_dates > window_start) & (sample_dates <= as_of)))
    open_ex = exceeding["rectified_date"].isna()
    _check(profile, "open_exceedances", _counts(exceeding, open_ex))
    _check(profile, "overdue_exceedances", _counts(exceeding, open_ex & (pd.to_datetime(exceeding["deadline"]) < as_of)))

    hazards = facts["hazards"]
    open_hz = hazards["rectified_date"].isna()
    overdue_hz = open_hz & (pd.to_datetime(hazards["deadline"]) < as_of)
    _check(profile, "hazards", _counts(hazards))
    _check(profile, "major_hazards", _counts(hazards, hazards["is_major"].astype(bool)))
    _check(profile, "open_hazards", _counts(hazards, open_hz))
    _check(profile, "overdue_hazards", _counts(hazards, overdue_hz))
    _check(profile, "overdue_major_hazards", _counts(hazards, overdue_hz & hazards["is_major"].astype(bool)))

    claims = facts["claims"][facts["claims"]["is_recognised"].astype(bool)]
    _check(profile, "recognised_injuries", _counts(claims))
    _check(profile, "injury_deaths", _counts(claims, claims["is_fatal"].astype(bool)))
    _check(profile, "od_cases", _counts(facts["od"]))
    accidents = facts["accidents"].dropna(subset=["uscc"])
    _check(profile, "accidents", _counts(accidents))
    _check(profile, "accident_deaths", _counts(accidents, value="deaths"))
    union = facts["union"].fillna({"issues_found": 0, "worker_complaints": 0})
    _check(profile, "union_issues_found", _counts(union, value="issues_found"))
    _check(profile, "union_complaints", _counts(union, value="worker_complaints"))
    assert (profile["open_items"] == profile["open_exceedances"] + profile["open_hazards"]).all()
    assert (profile["overdue_items"] == profile["overdue_exceedances"] + profile["overdue_hazards"]).all()


def test_profile_agrees_with_the_watchlist(small_build, profile):
    watchlist = small_build.frame("SELECT * FROM marts.mart_watchlist").set_index(["province_code", "uscc"])
    listed = profile[profile["priority_rank"].notna()]
    assert len(listed) == len(watchlist) > 0
    joined = listed.join(watchlist, rsuffix="_wl", how="inner")
    assert len(joined) == len(watchlist)
    for column in ("priority_rank", "priority_tier", "open_items", "overdue_items", "open_exceedances",
                   "overdue_exceedances", "overdue_major_hazards", "exceedances_12m", "listing_reasons"):
        assert (joined[column] == joined[f"{column}_wl" if f"{column}_wl" in joined else column]).all(), column
    assert (joined["max_days_overdue"].fillna(-1) == joined["max_days_overdue_wl"].fillna(-1)).all()
    assert (profile.loc[profile["priority_rank"].isna(), "open_items"] == 0).all()


def test_events_and_yearly_counts_add_up(small_build, profile):
    events = small_build.frame("SELECT province_code, uscc, event_type, event_year FROM marts.mart_employer_events")
    yearly = small_build.frame("SELECT * FROM marts.mart_employer_yearly")
    assert set(events["event_type"]) == {"exceedance", "major_hazard", "general_hazard", "injury",
                                         "occupational_disease", "accident", "union_inspection"}
    assert int(yearly["exceedances"].sum()) == int(profile["exceedances"].sum()) > 0
    assert int(yearly["recognised_injuries"].sum()) == int(profile["recognised_injuries"].sum()) > 0
    assert int(yearly["od_cases"].sum()) == int(profile["od_cases"].sum()) > 0
    # only employers with events are in the events mart
    with_events = set(map(tuple, events[["province_code", "uscc"]].drop_duplicates().values))
    quiet = profile[(profile["exceedances"] + profile["hazards"] + profile["recognised_injuries"] + profile["od_cases"]
                     + profile["accidents"] + profile["union_inspections_with_findings"]) == 0]
    assert not with_events & set(quiet.index)


def test_no_personal_data_in_the_employer_marts(small_build, facts):
    for mart in MARTS:
        columns = set(small_build.frame(f"SELECT * FROM marts.{mart} LIMIT 0").columns)
        assert not columns & PERSONAL_COLUMNS, (mart, columns & PERSONAL_COLUMNS)
    pseudonyms = set(facts["claims"]["person_pseudonym"].dropna()) | set(facts["od"]["person_pseudonym"].dropna())
    assert pseudonyms
    text = small_build.frame("SELECT description, record_no FROM marts.mart_employer_events")
    cells = set(text["description"].dropna()) | set(text["record_no"].dropna())
    assert not any(p in cell for cell in cells for p in pseudonyms)
    people = small_build.frame("SELECT record_no FROM marts.mart_employer_events "
                               "WHERE event_type IN ('injury', 'occupational_disease')")
    assert len(people) > 0 and people["record_no"].isna().all()
