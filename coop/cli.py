"""The ``coop`` command: serve, migrate, first coordinator, demo, and moving or backing up data."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import logging
import os
import sys

os.environ.setdefault("PICCOLO_CONF", "coop.piccolo_conf")

from coop.settings import Settings
from coop.vocabulary import Role
from coop.web.security import redact_feed_tokens


class RedactFeedTokens(logging.Filter):
    """Keep secret feed tokens out of access logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_feed_tokens(a) if isinstance(a, str) else a for a in record.args
            )
        return True


async def migrate() -> None:
    """Apply every migration not yet applied; safe to run again."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards(app_name="coop", migration_id="all")
    if not result.success:
        raise SystemExit(f"Migrations failed: {result.message}")


async def _with_app_engine(settings: Settings, work):
    from piccolo.engine.postgres import PostgresEngine

    from coop.db import bind, engine_for

    engine = engine_for(settings)
    bind(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        return await work()
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(migrate())
    print("The database is up to date.")
    return 0


def is_loopback(host: str) -> bool:
    """Only this computer can reach a server listening here."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if settings.uses_development_key and not is_loopback(args.host):
        # The development key is published: with it anyone could forge a coordinator's session.
        print(
            f"Refusing to serve on {args.host} with the development secret key, which anyone "
            "can read. Set COOP_SECRET_KEY to a long random value, for example the output of\n"
            "  python -c 'import secrets; print(secrets.token_urlsafe(32))'\n"
            "or serve on 127.0.0.1 only.",
            file=sys.stderr,
        )
        return 2
    asyncio.run(migrate())
    logging.getLogger("uvicorn.access").addFilter(RedactFeedTokens())
    print(f"Serving the garden on http://{args.host}:{args.port} (Ctrl+C to stop)")
    uvicorn.run(
        "coop.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        # X-Forwarded-For is believed only from proxies named in COOP_TRUSTED_PROXIES: anyone
        # else (a local tunnel included) could set it to dodge the per-address guess limit.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
        log_level="info",
    )
    return 0


def cmd_create_coordinator(args: argparse.Namespace, settings: Settings) -> int:
    from coop.errors import DomainError
    from coop.members import service

    password = os.environ.get("COOP_PASSWORD") or getpass.getpass("Password (10+ characters): ")
    if len(password) < 10:
        print("Please choose a password of at least 10 characters.", file=sys.stderr)
        return 2
    asyncio.run(migrate())

    async def work():
        return await service.create_member(
            args.username, args.display_name, password, role=Role.COORDINATOR
        )

    try:
        member = asyncio.run(_with_app_engine(settings, work))
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 1
    print(f"Coordinator {member.username} ({member.display_name}) is ready. Log in at /login.")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from coop import demo

    asyncio.run(migrate())
    loaded = asyncio.run(_with_app_engine(settings, lambda: demo.load(settings)))
    if not loaded:
        print("The database already has members, so the demo season was not loaded.")
        return 0 if args.if_empty else 1
    print(f"Loaded the demo season. Log in as {demo.COORDINATOR} with password {demo.PASSWORD}.")
    return 0


def cmd_dump(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from coop import transfer

    try:
        rows = asyncio.run(_with_app_engine(settings, lambda: transfer.dump(Path(args.file))))
    except transfer.TransferError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Wrote {rows} rows to {args.file}.")
    return 0


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from coop import transfer

    asyncio.run(migrate())
    try:
        rows = asyncio.run(_with_app_engine(settings, lambda: transfer.load(Path(args.file))))
    except transfer.TransferError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Loaded {rows} rows from {args.file}. Every login and record came along.")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from coop import transfer

    if not settings.is_sqlite:
        print(
            "coop backup copies SQLite databases. For PostgreSQL use its own tool, for example "
            "`pg_dump --format=custom --file=garden.pgdump DBNAME`, or `coop dump FILE`.",
            file=sys.stderr,
        )
        return 1
    try:
        pages = transfer.backup_sqlite(settings.sqlite_path, Path(args.file))
    except transfer.TransferError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Backed up {settings.sqlite_path} to {args.file} ({pages} pages, integrity ok).")
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """The notice sender alone: reminders, alerts and e-mail, until stopped."""
    import signal
    from datetime import timedelta

    from coop.notices.sender import Sender

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    sender = Sender(
        settings,
        batch=args.batch,
        lease=timedelta(seconds=args.lease),
        retry_base=timedelta(seconds=args.retry_base),
        poll_seconds=args.poll,
    )

    async def work() -> None:
        if args.once:
            sent = await sender.run_once()
            print(f"Sent {sent} e-mails.")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        if not settings.email_enabled:
            print("COOP_SMTP_URL is not set: notices reach inboxes only; no e-mail is sent.")
        print("The notice sender is running (Ctrl+C to stop).", flush=True)
        await sender.run_forever(stop)

    asyncio.run(_with_app_engine(settings, work))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coop", description="The garden co-op manager.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="app processes (PostgreSQL)")
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)

    coordinator = commands.add_parser("create-coordinator", help="create a coordinator account")
    coordinator.add_argument("username")
    coordinator.add_argument("--display-name", required=True)
    coordinator.set_defaults(run=cmd_create_coordinator)

    demo = commands.add_parser("demo", help="load a demo season into an empty database")
    demo.add_argument("--if-empty", action="store_true", help="succeed quietly if not empty")
    demo.set_defaults(run=cmd_demo)

    dump = commands.add_parser("dump", help="write the whole database to one file (.gz to zip)")
    dump.add_argument("file")
    dump.set_defaults(run=cmd_dump)

    load = commands.add_parser("load", help="fill an empty database from a `coop dump` file")
    load.add_argument("file")
    load.set_defaults(run=cmd_load)

    backup = commands.add_parser("backup", help="a consistent copy of a live SQLite database")
    backup.add_argument("file")
    backup.set_defaults(run=cmd_backup)

    worker = commands.add_parser("worker", help="run the notice sender alone")
    worker.add_argument("--once", action="store_true", help="one round, then stop")
    worker.add_argument("--poll", type=float, default=5.0, help="seconds between rounds")
    worker.add_argument("--batch", type=int, default=50, help="e-mails claimed at a time")
    worker.add_argument("--lease", type=float, default=300, help="seconds a claim lasts")
    worker.add_argument("--retry-base", type=float, default=30, help="first retry wait, seconds")
    worker.set_defaults(run=cmd_worker)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    return args.run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
