"""While `ipx run` writes, several dashboard sessions keep loading pages with no errors and always
see one consistent published version — never a mix of an old and a new table."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from dashboards.users import User, hash_password, save_users
from ipx.pipeline import run_pipeline
from ipx.storage import WarehouseLayout

SESSIONS = 3
HELD_BACK = "202212"


def _publications(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Every serving copy: published_at -> (loaded files in its mart_data_as_of, its file name)."""
    out = {}
    for copy in sorted(WarehouseLayout.at(warehouse).serving_dir.glob("ipx-*.duckdb")):
        con = duckdb.connect(str(copy), read_only=True)
        published = con.execute("SELECT published_at FROM meta.publication").fetchone()[0]
        files = con.execute("SELECT loaded_files FROM marts.mart_data_as_of").fetchone()[0]
        con.close()
        out[published.strftime("%Y-%m-%d %H:%M:%S")] = (files, copy.name)
    return out


def test_dashboard_sessions_read_consistent_versions_while_a_run_writes(small_build, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(small_build.landing, landing)
    held = [(p, p.read_bytes()) for p in sorted(landing.glob(f"*/*_{HELD_BACK}_*"))]
    for path, _ in held:
        path.unlink()
    warehouse = tmp_path / "wh" / "ipx.duckdb"
    run_pipeline(landing, warehouse)  # version A is published
    for path, data in held:
        path.write_bytes(data)

    users = tmp_path / "users.toml"
    save_users(users, {"reader": User("reader", "national", None, "并发读者", hash_password("reader-password"))})
    env = dict(os.environ, IPX_WAREHOUSE=str(warehouse), IPX_USERS_FILE=str(users))
    env.pop("IPX_AUTH_HEADER", None)
    stop = tmp_path / "stop"
    worker = Path(__file__).with_name("reader_session.py")
    readers = [subprocess.Popen([sys.executable, str(worker), str(tmp_path / f"loads-{i}.jsonl"), str(stop)],
                                env=env, cwd=Path(__file__).resolve().parents[2])
               for i in range(SESSIONS)]
    time.sleep(5)
    writer = subprocess.run([str(Path(sys.executable).parent / "ipx"), "run", "--landing", str(landing),
                             "--warehouse", str(warehouse)], env=env, capture_output=True, text=True, timeout=900)
    time.sleep(10)  # let every session load pages of the new version too
    stop.touch()
    for reader in readers:
        assert reader.wait(timeout=300) == 0
    assert writer.returncode == 0, writer.stderr[-3000:]

    published = _publications(warehouse)
    assert len(published) == 2  # A and B
    seen = set()
    for i in range(SESSIONS):
        loads = [json.loads(line) for line in (tmp_path / f"loads-{i}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(loads) >= 6
        for load in loads:
            assert load["exception"] == [], load
            caption = load["caption"]
            match = re.search(r"已入库文件 ([\d,]+) 个 · 发布时间 (\S+ \S+)", caption or "")
            assert match, caption
            files, when = int(match.group(1).replace(",", "")), match.group(2)
            # the as-of mart and the publication stamp on one screen come from one copy
            assert published.get(when, (None,))[0] == files, (caption, published)
            seen.add(when)
    assert len(seen) == 2, "the sessions did not see both versions: the test did not overlap the run"
