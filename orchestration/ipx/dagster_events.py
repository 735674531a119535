"""The Dagster event log of an ``ipx run``: Dagster's own SQLite storage (one database per run and
an index database, in ``<warehouse>.dagster/history/runs``, where Dagster keeps them), with its connections kept open.

Dagster's ``SqliteEventLogStorage`` opens a new SQLite connection for every write and closes it
after: an event of an asset writes the run's database and then the index database, each a
connection, a commit that waits for the disk, and a close that checkpoints the write-ahead log. A
monthly run stores about a thousand events (every dbt model, every data test as an asset check):
measured on the national three-year warehouse (issue 14), about 7 s of its 63 s went to those
commits, closes and connections.

Here each database keeps one engine (SQLAlchemy's default pool for a SQLite file) for the life of
the process, and commits in write-ahead-log mode do not wait for the disk
(``synchronous=NORMAL``): SQLite's documented setting for WAL, where a power cut can lose the last
events but never corrupts the database. The run history is a record of what ran; the warehouse and
its ledger, in DuckDB, are what a run is judged by. The files are Dagster's own format, so ``ipx
ui`` (Dagster's webserver with the instance folder's ``dagster.yaml``) reads them unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_SECONDS = 30  # as Dagster's own SQLite storages wait for a lock


def _fast_commits(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class KeptOpenSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine per database kept for the process."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> KeptOpenSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(self.conn_string_for_shard(shard),
                                   connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
            event.listen(engine, "connect", _fast_commits)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
        super().dispose()
