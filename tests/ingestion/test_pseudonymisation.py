"""Resident IDs become keyed pseudonyms that link across feeds; names never arrive."""

import duckdb

from ipx.ingestion.pseudonym import pseudonymise
from support.deliveries import claim, ric, training, write_delivery
from support.keys import TEST_PSEUDONYM_KEY

PERSON = ric(42, birth="19790101")


def _variants(person: str) -> list[str]:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in person)
    return [person, f"  {person} ", full_width, person.lower()]


def test_same_id_same_pseudonym_across_feeds_and_spellings(landing, ingest, query):
    person = next(ric(n) for n in range(100) if ric(n).endswith("X"))  # has an X check character
    write_delivery(landing, "hrss_injury_claims", [claim(1, person_id=_variants(person)[0], name="孙八")])
    write_delivery(landing, "hrss_training", [training(i, person_id=v, name="孙八")
                                              for i, v in enumerate(_variants(person)[1:], 1)])
    results = ingest()
    assert all(r.status == "loaded" and r.rejected == 0 for r in results)
    pseudonyms = {r[0] for r in query("SELECT person_pseudonym FROM raw.hrss_injury_claims UNION ALL "
                                      "SELECT person_pseudonym FROM raw.hrss_training")}
    assert pseudonyms == {pseudonymise(person, TEST_PSEUDONYM_KEY)}


def test_no_clear_id_or_name_anywhere_in_the_warehouse(landing, ingest, warehouse):
    people = {ric(n): name for n, name in enumerate(["周九", "吴十", "郑十一"])}
    rows = [claim(i, person_id=p, name=n) for i, (p, n) in enumerate(people.items())]
    rows.append(claim(9, person_id=ric(9)[:-1] + "Z", name="王十二"))  # rejected: the clear ID must not be kept
    people[ric(9)[:-1] + "Z"] = "王十二"
    write_delivery(landing, "hrss_injury_claims", rows)
    ingest()
    con = duckdb.connect(str(warehouse), read_only=True)
    columns = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                          "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE '%[]'").fetchall()
    assert len(columns) > 20
    for schema, table, column in columns:
        values = " ".join(str(v[0]) for v in con.execute(f'SELECT "{column}" FROM {schema}.{table}').fetchall())
        for secret in [*people, *people.values()]:
            assert secret not in values, f"{secret[:3]}… found in {schema}.{table}.{column}"
    con.close()
    data = warehouse.read_bytes() + (warehouse.with_suffix(".duckdb.wal").read_bytes()
                                     if warehouse.with_suffix(".duckdb.wal").exists() else b"")
    for secret in [*people, *people.values()]:
        assert secret.encode() not in data
