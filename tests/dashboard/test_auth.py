"""Sign-in, roles and SSO: the user file (hashes only), the users CLI, the sign-in gate, what
each role may open, and identification from a trusted request header."""

from __future__ import annotations

import tomllib

import pytest
from dashboard_support import drawings, new_app, sign_in, texts

from dashboards import auth
from dashboards.users import (
    DEFAULT_USERS_FILE,
    UserConfigError,
    authenticate,
    hash_password,
    load_users,
    main,
    parse_users,
    verify_password,
)

PAGE_TITLES = {"热点总览", "领导简报", "超标与隐患整改", "单位档案", "省级考核", "费率浮动", "终期评估", "数据交换"}


# ------------------------------------------------------------------ hashes and the user file


def test_password_hashes_are_salted_scrypt_and_verify():
    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first.startswith("scrypt$") and first != second  # a fresh salt each time
    assert verify_password("s3cret-pass", first) and verify_password("s3cret-pass", second)
    assert not verify_password("s3cret-pasS", first)
    assert not verify_password("s3cret-pass", "scrypt$broken")
    assert not verify_password("s3cret-pass", None)


def test_pbkdf2_hashes_are_accepted():
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    key = hashlib.pbkdf2_hmac("sha256", b"pw-pbkdf2", salt, 100_000, 32)
    stored = f"pbkdf2_sha256$100000${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    assert verify_password("pw-pbkdf2", stored)
    assert not verify_password("pw-pbkdf", stored)


@pytest.mark.parametrize("text, message", [
    ('[users.a]\nrole = "admin"\n', "角色"),
    ('[users.a]\nrole = "provincial"\n', "省级用户"),
    ('[users.a]\nrole = "provincial"\nprovince = "4400"\n', "省级用户"),
    ('[users."a b"]\nrole = "national"\n', "用户名"),
    ("[users.a\n", "格式错误"),
])
def test_malformed_user_files_are_refused_with_a_reason(text, message):
    with pytest.raises(UserConfigError, match=message):
        parse_users(text)


def test_shipped_demo_users_sign_in_with_their_documented_passwords():
    users = load_users(DEFAULT_USERS_FILE)
    expected = {"national": ("national", None), "guangdong": ("provincial", "440000"),
                "sichuan": ("provincial", "510000"), "engineer": ("engineer", None)}
    assert {n: (u.role, u.province) for n, u in users.items()} == expected
    for name in expected:
        assert authenticate(users, name, f"{name}-demo") == users[name]
        assert authenticate(users, name, "national-demo" if name != "national" else "x") is None
    raw = DEFAULT_USERS_FILE.read_text(encoding="utf-8")
    assert "-demo" not in raw  # no password in clear
    readme = (DEFAULT_USERS_FILE.parent / "README.md").read_text(encoding="utf-8")
    for name in expected:
        assert f"{name}-demo" in readme


def test_users_cli_adds_lists_and_removes(tmp_path, monkeypatch, capsys):
    import io

    path = tmp_path / "users.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["--file", str(path), "add", "zj", "--role", "provincial", "--province", "330000",
                 "--display-name", "浙江", "--password-stdin"]) == 0
    assert main(["--file", str(path), "add", "proxyuser", "--role", "engineer", "--no-password"]) == 0
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    assert document["users"]["zj"]["province"] == "330000"
    assert document["users"]["zj"]["password"].startswith("scrypt$")
    assert "a-long-password" not in path.read_text(encoding="utf-8")
    assert "password" not in document["users"]["proxyuser"]
    users = load_users(path)
    assert authenticate(users, "zj", "a-long-password") is not None
    assert authenticate(users, "proxyuser", "") is None  # SSO only: no password sign-in

    capsys.readouterr()
    assert main(["--file", str(path), "list"]) == 0
    listing = capsys.readouterr().out
    assert "zj\tprovincial\t330000\tpassword" in listing and "proxyuser\tengineer\t-\tsso only" in listing
    assert "scrypt" not in listing

    assert main(["--file", str(path), "remove", "zj"]) == 0
    assert "zj" not in load_users(path)
    assert main(["--file", str(path), "remove", "zj"]) == 1
    # a provincial user needs a province
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["--file", str(path), "add", "x", "--role", "provincial", "--password-stdin"]) == 2


# ------------------------------------------------------------------ the sign-in gate


def test_signed_out_visitors_see_only_the_sign_in_form(app_env):
    at = new_app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["工伤预防数据看板"]
    assert at.text_input(key="sign_in_password") is not None
    assert not at.dataframe and not drawings(at)  # no table, figure or chart
    assert "数据截至" not in texts(at)  # nothing from the data before sign-in


def test_a_wrong_password_is_refused(app_env):
    at = sign_in(new_app(), "nat", "not-the-password")
    assert not at.exception
    assert any("用户名或密码错误" in e.value for e in at.error)
    assert not at.dataframe and not drawings(at)
    at = sign_in(new_app(), "nobody", "nat-password")
    assert any("用户名或密码错误" in e.value for e in at.error)
    at = sign_in(new_app(), "sso_only", "")
    assert any("用户名或密码错误" in e.value for e in at.error)


PAGE_FILES = {"热点总览": "views/hotspots.py", "领导简报": "views/briefing.py", "超标与隐患整改": "views/watchlist.py",
              "单位档案": "views/employer.py",
              "省级考核": "views/assessment.py", "费率浮动": "views/floating.py", "终期评估": "views/evaluation.py",
              "数据交换": "views/feed_health.py"}


def _navigation_titles(at) -> set[str]:
    """The pages st.navigation offered in the last run (switch_page refuses any other)."""
    offered = set()
    for title, page in PAGE_FILES.items():
        try:
            at.switch_page(page)
        except ValueError:
            continue
        offered.add(title)
    return offered


@pytest.mark.parametrize("user, pages", [
    ("nat", PAGE_TITLES),
    ("gd", PAGE_TITLES),
    ("eng", {"数据交换"}),
])
def test_each_role_is_offered_its_pages(signed_in, user, pages):
    at = signed_in(user)
    assert set(_navigation_titles(at)) == pages
    assert at.title[0].value == ("热点总览" if "热点总览" in pages else "数据交换")
    assert "数据截至" in texts(at)


def test_an_engineer_cannot_open_the_other_pages(signed_in):
    at = signed_in("eng")
    for page in ("views/hotspots.py", "views/briefing.py", "views/watchlist.py", "views/employer.py",
                 "views/assessment.py", "views/floating.py", "views/evaluation.py"):
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(page)


def test_signing_out_returns_to_the_sign_in_form(signed_in):
    at = signed_in("nat")
    at.button(key="sign_out").click().run()
    assert not at.exception
    assert at.text_input(key="sign_in_password") is not None
    assert not drawings(at)


def test_a_missing_user_file_is_a_message_not_an_exception(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("IPX_USERS_FILE", str(tmp_path / "absent.toml"))
    at = new_app().run()
    assert not at.exception
    assert any("找不到用户配置文件" in e.value for e in at.error)


# ------------------------------------------------------------------ SSO


@pytest.fixture
def sso(app_env, monkeypatch):
    headers = {}
    monkeypatch.setenv("IPX_AUTH_HEADER", "X-Forwarded-User")
    monkeypatch.setattr(auth, "request_headers", lambda: headers)
    return headers


def test_sso_takes_the_user_from_the_header_without_a_password(sso):
    sso["X-Forwarded-User"] = "sso_only"
    at = new_app().run()
    assert not at.exception
    assert not at.text_input  # no sign-in form
    assert at.title[0].value == "热点总览"
    sidebar = " ".join(str(m.value) for m in at.sidebar.markdown)
    assert "测试sso_only" in sidebar and "660000" in sidebar
    assert not [b for b in at.button if b.key == "sign_out"]  # the proxy owns the session
    assert _navigation_titles(at) == PAGE_TITLES

    sso["X-Forwarded-User"] = "eng"
    at = new_app().run()
    assert set(_navigation_titles(at)) == {"数据交换"}


def test_sso_refuses_unknown_users_and_requests_without_the_header(sso):
    sso["X-Forwarded-User"] = "intruder"
    at = new_app().run()
    assert not at.exception
    assert any("intruder 未在看板用户配置中登记" in e.value for e in at.error)
    assert not at.dataframe and not drawings(at)

    sso.clear()
    at = new_app().run()
    assert any("X-Forwarded-User" in e.value for e in at.error)
    assert not at.dataframe and not drawings(at)


def test_sso_ignores_a_password_session(sso):
    # In SSO mode the header decides, even if a session signed in earlier.
    at = new_app()
    at.session_state["ipx_user"] = "nat"
    at.run()
    assert any("X-Forwarded-User" in e.value for e in at.error)
    assert not drawings(at) and not at.dataframe
