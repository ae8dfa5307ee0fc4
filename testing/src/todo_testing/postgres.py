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
from collections.abc import Callable, Coroutine, Iterator
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
        port: int = sock.getsockname()[1]
        return port


def _run_async(coroutine: Coroutine[object, object, None]) -> None:
    # A fresh loop in a worker thread: sync fixtures run while pytest-asyncio's loop is running.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def postgres_bindir() -> Path | None:
    """Where the local PostgreSQL binaries (pg_ctl, initdb) are, if anywhere."""
    if found := shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def _as_postgres_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class LocalCluster:
    """A throwaway PostgreSQL cluster from the local binaries (run as the postgres user when we are
    root), in a temp dir on a free port; it can be stopped and started again on the same port."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
        self.datadir, self.sockets = self.root / "data", self.root / "sock"
        self.port = free_port()

    @property
    def url(self) -> str:
        """The admin URL (plain `postgresql://`)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """initdb into the data dir."""
        self.sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sockets, "postgres")
        initdb = [str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", "postgres"]
        self._run([*initdb, "--auth=trust", "-E", "UTF8", "--no-sync"])

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-F -p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c full_page_writes=off -c synchronous_commit=off -c max_connections=400"
        self._pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast` ends every session; `immediate` kills it without a checkpoint)."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete everything."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, *arguments: str) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *arguments])

    def _run(self, command: list[str]) -> None:
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True)


@contextlib.contextmanager
def running_cluster() -> Iterator[LocalCluster]:
    """A started `LocalCluster`, removed at the end."""
    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail(
            "No PostgreSQL binaries: install them (apt-get install -y postgresql) or set TEST_DATABASE_URL"
        )
    cluster = LocalCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@contextlib.contextmanager
def local_cluster() -> Iterator[str]:
    """initdb + pg_ctl in a temp dir (as the postgres user when we are root); yields an admin URL."""
    with running_cluster() as cluster:
        yield cluster.url


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
