"""Scale settings and the ``years`` option."""

from __future__ import annotations

import pytest

from ipx.contracts import load_contracts
from ipx.generator import generate, get_scale
from ipx.generator.delivery import LARGE_FEEDS, plan_province_feed
from ipx.generator.geography import PROVINCE_WEIGHTS
from ipx.generator.profiles import province_profiles
from ipx.generator.scales import employers_in


def test_scales_cover_the_documented_provinces_and_years():
    assert get_scale("small").provinces == ("440000", "510000", "660000")
    assert get_scale("small").years == (2020, 2021, 2022)
    demo = get_scale("demo")
    assert len(demo.provinces) == 32 and demo.years == tuple(range(2020, 2026))
    assert get_scale("national").years == (2024,)
    assert get_scale("demo", [2024, 2023]).years == (2023, 2024)
    with pytest.raises(ValueError):
        get_scale("huge")


def test_province_sizes_are_plausible():
    demo = get_scale("demo")
    sizes = {p: employers_in(demo, p) for p in demo.provinces}
    assert min(sizes.values()) == 100 and max(sizes.values()) == 300
    assert sizes["440000"] > sizes["370000"] > sizes["540000"] and sizes["660000"] < sizes["510000"]
    national = get_scale("national")
    total = sum(employers_in(national, p) for p in national.provinces)
    assert 1_900_000 < total < 2_100_000
    assert set(PROVINCE_WEIGHTS) == set(demo.provinces)


def test_large_national_files_are_csv():
    national = get_scale("national")
    contracts = load_contracts()
    profiles = province_profiles(national, 1)
    for feed in LARGE_FEEDS:
        plans = plan_province_feed(national, 1, contracts[feed], profiles["440000"])
        assert {s.fmt for sp in plans for s in sp.submissions} == {"csv"}


def test_years_option_limits_the_periods(tmp_path):
    truth = generate(tmp_path / "landing", scale="small", seed=3, years=[2024])
    assert truth["periods"] == {"first": "2024-01", "last": "2024-12"}
    assert {f["period"][:4] for f in truth["files"]} == {"2024"}
    assert truth["totals"]["files_loaded"] > 200
