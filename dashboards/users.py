"""The dashboard's users and roles: a TOML file of salted password hashes, and a tiny CLI.

File format (``dashboards/users.toml`` unless ``IPX_USERS_FILE`` names another file)::

    [users.guangdong]
    role = "provincial"            # national | provincial | engineer
    province = "440000"            # provincial users only
    display_name = "广东省人社厅"
    password = "scrypt$16384$8$1$<salt, base64>$<key, base64>"

Passwords are stored only as salted scrypt hashes (``pbkdf2_sha256$<iterations>$<salt>$<key>``
is accepted too). A user without ``password`` can sign in only through the SSO header.

CLI::

    python -m dashboards.users add NAME --role provincial --province 440000 [--display-name TEXT]
    python -m dashboards.users add NAME --role engineer --no-password      # SSO only
    python -m dashboards.users remove NAME
    python -m dashboards.users list

``add`` asks for the password twice (or reads one line from stdin with ``--password-stdin``) and
replaces an existing user of that name.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

USERS_FILE_ENV = "IPX_USERS_FILE"
DEFAULT_USERS_FILE = Path(__file__).resolve().parent / "users.toml"

ROLES = {"national": "国家级", "provincial": "省级", "engineer": "数据工程师"}

SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES, SALT_BYTES = 2**14, 8, 1, 32, 16
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_PROVINCE = re.compile(r"^\d{2}0000$")


class UserConfigError(ValueError):
    """The user file is missing or malformed; the message is shown to the operator."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    province: str | None = None
    display_name: str = ""
    password_hash: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.name


def users_file() -> Path:
    configured = os.environ.get(USERS_FILE_ENV)
    return Path(configured).expanduser() if configured else DEFAULT_USERS_FILE


# ------------------------------------------------------------------ hashing


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                         dklen=KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash; False for anything malformed."""
    if not stored:
        return False
    parts = stored.split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
            actual = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                                    dklen=len(expected), maxmem=256 * 1024 * 1024)
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            iterations = int(parts[1])
            salt, expected = base64.b64decode(parts[2]), base64.b64decode(parts[3])
            actual = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations, len(expected))
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to check against when the user name is unknown, so that a wrong name and a wrong
# password take the same time.
_DUMMY_HASH = hash_password("not a password", salt=b"\x00" * SALT_BYTES)


def authenticate(users: dict[str, User], name: str, password: str) -> User | None:
    user = users.get(name.strip())
    if user is None or not user.password_hash:
        verify_password(password, _DUMMY_HASH)
        return None
    return user if verify_password(password, user.password_hash) else None


# ------------------------------------------------------------------ the file


def _validate(name: str, entry: dict) -> User:
    if not _NAME.match(name):
        raise UserConfigError(f"用户名不合法：{name!r}（仅限字母、数字和 _ . @ -）")
    role = entry.get("role")
    if role not in ROLES:
        raise UserConfigError(f"用户 {name} 的角色 {role!r} 不存在（可用：{', '.join(ROLES)}）")
    province = entry.get("province")
    if role == "provincial":
        if not isinstance(province, str) or not _PROVINCE.match(province):
            raise UserConfigError(f"省级用户 {name} 需要 6 位省级行政区划代码（如 440000）")
    else:
        province = None
    password = entry.get("password")
    if password is not None and not isinstance(password, str):
        raise UserConfigError(f"用户 {name} 的 password 必须是哈希字符串")
    return User(name=name, role=role, province=province,
                display_name=str(entry.get("display_name", "")), password_hash=password or None)


def parse_users(text: str) -> dict[str, User]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserConfigError(f"用户配置文件格式错误：{exc}") from exc
    table = document.get("users", {})
    if not isinstance(table, dict):
        raise UserConfigError("用户配置文件中 [users] 必须是表")
    return {name: _validate(name, entry if isinstance(entry, dict) else {}) for name, entry in table.items()}


def load_users(path: Path) -> dict[str, User]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserConfigError(f"找不到用户配置文件：{path}") from exc
    return parse_users(text)


def render_users(users: dict[str, User]) -> str:
    lines = ["# ipx dashboard users. Edit with `python -m dashboards.users`; passwords are salted scrypt hashes.", ""]
    for user in sorted(users.values(), key=lambda u: u.name):
        lines.append(f"[users.{json.dumps(user.name)}]")
        lines.append(f"role = {json.dumps(user.role)}")
        if user.province:
            lines.append(f"province = {json.dumps(user.province)}")
        if user.display_name:
            lines.append(f"display_name = {json.dumps(user.display_name, ensure_ascii=False)}")
        if user.password_hash:
            lines.append(f"password = {json.dumps(user.password_hash)}")
        lines.append("")
    return "\n".join(lines)


def save_users(path: Path, users: dict[str, User]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(render_users(users))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ------------------------------------------------------------------ CLI


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UserConfigError("the two passwords differ")
    if len(password) < 8:
        raise UserConfigError("a password needs at least 8 characters")
    return password


def _cmd_add(args: argparse.Namespace, path: Path) -> int:
    users = load_users(path) if path.exists() else {}
    entry = {"role": args.role, "province": args.province, "display_name": args.display_name or ""}
    user = _validate(args.name, entry)
    password_hash = None if args.no_password else hash_password(_read_password(args))
    existed = user.name in users
    users[user.name] = User(user.name, user.role, user.province, user.display_name, password_hash)
    save_users(path, users)
    print(f"{'updated' if existed else 'added'} {user.name} ({user.role}) in {path}")
    return 0


def _cmd_remove(args: argparse.Namespace, path: Path) -> int:
    users = load_users(path)
    if users.pop(args.name, None) is None:
        print(f"no user {args.name} in {path}", file=sys.stderr)
        return 1
    save_users(path, users)
    print(f"removed {args.name} from {path}")
    return 0


def _cmd_list(args: argparse.Namespace, path: Path) -> int:
    for user in sorted(load_users(path).values(), key=lambda u: u.name):
        sign_in = "password" if user.password_hash else "sso only"
        print(f"{user.name}\t{user.role}\t{user.province or '-'}\t{sign_in}\t{user.display_name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboards.users", description="manage dashboard users")
    parser.add_argument("--file", default=None, help=f"user file (default: ${USERS_FILE_ENV} or {DEFAULT_USERS_FILE})")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add or replace a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=sorted(ROLES))
    add.add_argument("--province", default=None, help="6-digit province code (provincial users)")
    add.add_argument("--display-name", default=None)
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    how.add_argument("--no-password", action="store_true", help="SSO only: no password sign-in")
    add.set_defaults(func=_cmd_add)
    remove = sub.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(func=_cmd_remove)
    sub.add_parser("list", help="list users (never the hashes)").set_defaults(func=_cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    path = Path(args.file).expanduser() if args.file else users_file()
    try:
        return args.func(args, path)
    except UserConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
