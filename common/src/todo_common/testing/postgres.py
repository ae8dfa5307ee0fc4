"""pytest plugin: a real PostgreSQL server for the session and a fresh database per test.

The server is, in order of preference: `TEST_DATABASE_URL`; a testcontainers container when a
Docker engine answers; a throwaway cluster from the local PostgreSQL binaries.
"""

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

CreateDatabase = Callable[..., str]


def free_port() -> int:
    """A TCP port on loopback that nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_async(coroutine):  # type: ignore[no-untyped-def]
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _postgres_bindir() -> Path | None:
    if found := shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _as_postgres_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def local_cluster() -> Iterator[str]:
    """initdb + pg_ctl in a temp dir (as the postgres user when we are root); yields an admin URL."""
    bindir = _postgres_bindir()
    if bindir is None:
        pytest.fail(
            "No PostgreSQL binaries: install them (apt-get install -y postgresql) or set TEST_DATABASE_URL"
        )
    root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    datadir, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-F -p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c full_page_writes=off -c synchronous_commit=off -c max_connections=400"
    subprocess.run(
        _as_postgres_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user(
                [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """An admin URL (plain `postgresql://`) for a server this test session may create databases on."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield str(make_url(url).set(drivername="postgresql"))
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:17-alpine", driver=None) as container:
            yield container.get_connection_url()
        return
    with local_cluster() as url:
        yield url


async def _admin(admin_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def asyncpg_url(admin_url: str, database: str) -> str:
    """The SQLAlchemy asyncpg URL of `database` on the server behind `admin_url`."""
    return (
        make_url(admin_url)
        .set(drivername="postgresql+asyncpg", database=database)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """The session's PostgreSQL server."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def create_database(postgres_admin_url: str) -> Iterator[CreateDatabase]:
    """Make a new, empty (or templated) database; all are dropped at the end of the session."""
    created: list[str] = []

    def create(template: str | None = None, name: str | None = None) -> str:
        name = name or f"test_{uuid.uuid4().hex[:16]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        _run_async(_admin(postgres_admin_url, f'CREATE DATABASE "{name}"{clause}'))
        created.append(name)
        return asyncpg_url(postgres_admin_url, name)

    yield create
    for name in reversed(created):
        with contextlib.suppress(Exception):
            _run_async(_admin(postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def wait_for(
    condition: Callable[[], bool],
    timeout: float = 30.0,
    interval: float = 0.05,
    what: str = "condition",
) -> None:
    """Poll until `condition()` is true or fail after `timeout` seconds (no fixed sleeps in tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
