"""The access log: sign-ins (success and failure, password and SSO), sign-outs and downloads are
recorded with who, role, what and which provinces; nothing personal is written."""

from __future__ import annotations

import json

import duckdb
import pytest
from dashboard_support import TEST_USERS, new_app, sign_in

from dashboards import access_log, auth
from dashboards.users import User

ID_LIKE = "11010519491231002X"  # what someone might type into the user-name box


@pytest.fixture
def log(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv(access_log.DIR_ENV, str(tmp_path / "access"))
    return lambda: access_log.read(app_env)


def test_sign_in_success_failure_and_sign_out_are_logged(log, app_env):
    at = sign_in(new_app(), "gd", "wrong-password")
    at = sign_in(new_app(), ID_LIKE, "whatever-secret")
    at = sign_in(new_app(), "gd", TEST_USERS["gd"][2])
    assert not at.exception
    at.button(key="sign_out").click().run()
    events = log()
    assert [(e["event"], e["user"]) for e in events] == [
        ("sign_in_failed", "gd"), ("sign_in_failed", access_log.UNKNOWN), ("sign_in", "gd"), ("sign_out", "gd")]
    signed = events[2]
    assert (signed["role"], signed["province"], signed["via"]) == ("provincial", "440000", "password")
    text = "\n".join(p.read_text(encoding="utf-8") for p in access_log.log_dir(app_env).glob("*.jsonl"))
    assert ID_LIKE not in text and "whatever-secret" not in text and "wrong-password" not in text
    assert all(e["at"].endswith("+00:00") for e in events)


def test_sso_sign_in_is_logged_once_per_session_and_refusals_too(log, app_env, monkeypatch):
    headers = {"X-Forwarded-User": "sso_only"}
    monkeypatch.setenv(auth.AUTH_HEADER_ENV, "X-Forwarded-User")
    monkeypatch.setattr(auth, "request_headers", lambda: headers)
    at = new_app().run()
    at.run()
    assert not at.exception
    headers["X-Forwarded-User"] = "somebody-else"
    new_app().run()
    assert [(e["event"], e["user"], e.get("via")) for e in log()] == [
        ("sign_in", "sso_only", "sso"), ("sign_in_refused", access_log.UNKNOWN, "sso")]


def test_a_download_is_logged_with_what_year_and_provinces(log, app_env):
    viewer = auth.Viewer(User("sc", "provincial", "510000", "测试sc", None))
    content = access_log.download(app_env, viewer, "floating", lambda: b"PK-xlsx", year=2022, provinces=viewer.scope)
    national = auth.Viewer(User("nat", "national", None, "测试nat", None))
    access_log.download(app_env, national, "assessment", lambda: b"x" * 10, year=2021, provinces=national.scope)
    assert content == b"PK-xlsx"
    first, second = log()
    assert (first["event"], first["user"], first["what"], first["year"], first["provinces"], first["bytes"]) == (
        "download", "sc", "floating", 2022, ["510000"], 7)
    assert (second["user"], second["provinces"], second["what"]) == ("nat", "all", "assessment")


def test_old_months_are_removed_when_a_month_begins(log, app_env, monkeypatch):
    folder = access_log.log_dir(app_env)
    folder.mkdir(parents=True)
    (folder / "access-200001.jsonl").write_text(json.dumps({"event": "sign_in"}) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    monkeypatch.setenv(access_log.MONTHS_ENV, "3")
    access_log.record(app_env, "sign_out", user="nat")
    assert not (folder / "access-200001.jsonl").exists() and (folder / "notes.txt").exists()
    assert [e["event"] for e in log()] == ["sign_out"]


def test_an_employer_profile_opened_is_logged_once_per_session_without_personal_data(log, app_env, mart):
    row = mart("SELECT province_code, uscc FROM marts.mart_employer_profile WHERE province_code = '440000' "
               "AND recognised_injuries > 0 ORDER BY priority_rank NULLS LAST LIMIT 1").iloc[0]
    at = sign_in(new_app(), "gd", TEST_USERS["gd"][2])
    at.switch_page("views/employer.py")
    at.query_params["uscc"] = row["uscc"]
    at.run()
    at.run()  # reruns (widget changes, refreshes) do not log again
    at.multiselect(key="emp_kinds").set_value(["工伤"]).run()
    assert not at.exception, [e.value for e in at.exception]
    opened = [e for e in log() if e["event"] == "profile_open"]
    assert len(opened) == 1
    entry = opened[0]
    assert (entry["user"], entry["role"], entry["province"], entry["uscc"], entry["employer_province"]) == (
        "gd", "provincial", "440000", row["uscc"], "440000")
    assert set(entry) == {"at", "event", "user", "role", "province", "via", "uscc", "employer_province"}
    # nothing of the persons behind the employer's injuries or diseases
    # (the facts are in the warehouse, not necessarily in the published serving copy)
    con = duckdb.connect(str(app_env), read_only=True)
    try:
        people = con.execute("SELECT person_pseudonym FROM marts.fct_injury_claims WHERE uscc = ? UNION ALL "
                             "SELECT person_pseudonym FROM marts.fct_occupational_disease WHERE uscc = ?",
                             [row["uscc"], row["uscc"]]).df()["person_pseudonym"]
    finally:
        con.close()
    assert len(people) > 0
    text = "\n".join(p.read_text(encoding="utf-8") for p in access_log.log_dir(app_env).glob("*.jsonl"))
    assert not any(p in text for p in people)
    # another employer is logged, and a refused one (other province) as refused, without its province
    other = mart("SELECT uscc FROM marts.mart_employer_profile WHERE province_code = '510000' LIMIT 1")["uscc"].iloc[0]
    at.query_params["uscc"] = other
    at.run()
    refused = [e for e in log() if e["event"] == "profile_refused"]
    assert [(e["uscc"], e["employer_province"]) for e in refused] == [(other, None)]
