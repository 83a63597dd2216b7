"""Moving a garden: dump it, load it into an empty database of either engine, lose nothing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from coop.transfer import read_header, read_tables
from tests.support.databases import new_postgres_database
from tests.support.served import LiveUser, run_coop, served_app, sqlite_integrity


def tables_in(path: Path) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of a dump, with its columns and rows, to compare two dumps row for row."""
    return {name: (columns, list(rows)) for name, columns, rows in read_tables(path)}


def demo_garden(tmp_path: Path) -> str:
    """The demo season on a laptop, plus a correction (a JSON column) someone made."""
    path = tmp_path / "laptop.sqlite3"
    run_coop("demo", database_url=f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO correction (record_type, record_id, changed_by, changed_at, before) "
            "SELECT 'sale', 1, id, created_at, ? FROM member WHERE username = 'maria'",
            ['{"quantity": 3, "channel": "café"}'],
        )
    return f"sqlite:///{path}"


def test_a_garden_moves_from_sqlite_to_postgresql_with_every_login_intact(tmp_path):
    laptop = demo_garden(tmp_path)
    run_coop("dump", str(tmp_path / "garden.jsonl.gz"), database_url=laptop)

    with new_postgres_database() as server_db:
        loaded = run_coop("load", str(tmp_path / "garden.jsonl.gz"), database_url=server_db)
        assert "Loaded placement_member" in loaded.stderr
        assert "100%" in loaded.stderr.splitlines()[-1]
        run_coop("dump", str(tmp_path / "again.jsonl"), database_url=server_db)

        before, after = tables_in(tmp_path / "garden.jsonl.gz"), tables_in(tmp_path / "again.jsonl")
        assert after == before
        assert len(before["member"][1]) == 12
        assert len(before["placement_member"][1]) > 100
        assert before["correction"][1][0][-1] == {"quantity": 3, "channel": "café"}
        assert read_header(tmp_path / "again.jsonl")["source_engine"] == "postgresql"

        with served_app(server_db) as base_url:
            sam = LiveUser(base_url)
            assert sam.log_in("sam").status_code == 200
            me = sam.get("/api/me").json()
            assert (me["username"], me["display_name"], me["role"]) == (
                "sam",
                "Sam",
                "peer_supporter",
            )

            maria = LiveUser(base_url)
            assert maria.log_in("maria").status_code == 200
            invite = maria.post("/api/invites", json={"role": "participant"})
            assert invite.status_code == 201, invite.text
            newcomer = LiveUser(base_url)
            joined = newcomer.post(
                "/api/members",
                json={
                    "invite_code": invite.json()["code"],
                    "username": "priya",
                    "password": "a long garden password",
                    "display_name": "Priya",
                },
            )
            assert joined.status_code == 201, joined.text
            assert joined.json()["id"] == 13  # the id sequence continues after the loaded rows


def test_a_garden_moves_from_sqlite_to_sqlite(tmp_path):
    laptop = demo_garden(tmp_path)
    run_coop("dump", str(tmp_path / "garden.jsonl"), database_url=laptop)
    new_home = f"sqlite:///{tmp_path / 'new-home.sqlite3'}"
    run_coop("load", str(tmp_path / "garden.jsonl"), database_url=new_home)
    run_coop("dump", str(tmp_path / "again.jsonl.gz"), database_url=new_home)

    assert tables_in(tmp_path / "again.jsonl.gz") == tables_in(tmp_path / "garden.jsonl")
    with sqlite3.connect(tmp_path / "new-home.sqlite3") as db:
        assert db.execute("SELECT username FROM member WHERE id = 5").fetchone() == ("jo",)


def test_loading_into_a_database_that_holds_a_garden_is_refused(tmp_path, database_url):
    run_coop("demo", database_url=database_url)
    run_coop("dump", str(tmp_path / "garden.jsonl"), database_url=database_url)

    refused = run_coop(
        "load", str(tmp_path / "garden.jsonl"), database_url=database_url, check=False
    )

    assert refused.returncode == 1
    assert "already holds a garden" in refused.stderr
    assert "nothing was loaded" in refused.stderr
    run_coop("dump", str(tmp_path / "after.jsonl"), database_url=database_url)
    assert tables_in(tmp_path / "after.jsonl") == tables_in(tmp_path / "garden.jsonl")


def test_a_dump_cut_short_loads_nothing_at_all(tmp_path):
    laptop = demo_garden(tmp_path)
    run_coop("dump", str(tmp_path / "garden.jsonl"), database_url=laptop)
    lines = (tmp_path / "garden.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "cut.jsonl").write_text("".join(lines[: len(lines) - 40]))
    new_home = f"sqlite:///{tmp_path / 'new-home.sqlite3'}"

    refused = run_coop("load", str(tmp_path / "cut.jsonl"), database_url=new_home, check=False)

    assert refused.returncode == 1
    assert "cut short" in refused.stderr
    with sqlite3.connect(tmp_path / "new-home.sqlite3") as db:  # one transaction: all or nothing
        assert db.execute("SELECT count(*) FROM member").fetchone() == (0,)
    run_coop("load", str(tmp_path / "garden.jsonl"), database_url=new_home)


def test_a_file_that_is_not_a_dump_is_refused_kindly(tmp_path):
    (tmp_path / "notes.txt").write_text("tomatoes in bed 2\n")
    refused = run_coop(
        "load",
        str(tmp_path / "notes.txt"),
        database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        check=False,
    )
    assert refused.returncode == 1
    assert "not a garden dump" in refused.stderr


def test_backup_copies_a_live_sqlite_database_while_the_app_takes_writes(tmp_path):
    database = tmp_path / "garden.sqlite3"
    url = f"sqlite:///{database}"
    run_coop("demo", database_url=url)
    with served_app(url) as base_url:
        maria = LiveUser(base_url)
        assert maria.log_in("maria").status_code == 200
        stop = threading.Event()
        created: list[int] = []

        def keep_inviting() -> None:
            while not stop.is_set():
                created.append(maria.post("/api/invites", json={}).status_code)

        writer = threading.Thread(target=keep_inviting)
        writer.start()
        try:
            while len(created) < 20:
                stop.wait(0.05)
            backed_up = run_coop("backup", str(tmp_path / "copy.sqlite3"), database_url=url)
        finally:
            stop.set()
            writer.join()

    assert set(created) == {201}
    assert "integrity ok" in backed_up.stdout
    copy = str(tmp_path / "copy.sqlite3")
    assert sqlite_integrity(copy) == "ok"
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM member").fetchone() == (12,)
        assert db.execute("SELECT count(*) FROM invite").fetchone()[0] >= 20
    refused = run_coop("backup", copy, database_url=url, check=False)
    assert refused.returncode == 1 and "already exists" in refused.stderr


def test_backup_on_postgresql_points_to_pg_dump(postgres_database, tmp_path):
    refused = run_coop(
        "backup", str(tmp_path / "copy"), database_url=postgres_database, check=False
    )
    assert refused.returncode == 1
    assert "pg_dump" in refused.stderr
