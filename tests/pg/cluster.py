"""Start and stop a throw-away PostgreSQL 15 + PostGIS 3 cluster for the tests.

``start()`` runs ``initdb`` in a fresh temporary folder (as the ``postgres`` user
when the tests run as root, as the current user otherwise), starts the server on a
free port of 127.0.0.1 (trust authentication, socket in the same folder), creates
the database ``naring`` with ``CREATE EXTENSION postgis`` and returns a
:class:`Cluster`. ``Cluster.stop()`` shuts it down and removes the folder.

The Debian packages (``postgresql-15-postgis-3``) are installed by ``make pg-deps``;
``unavailable()`` says why a cluster cannot be started here (None when it can).

Command line (for a shell or CI)::

    python -m tests.pg.cluster      # prints the URL, stops on Ctrl-C
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(os.environ.get("NARING_PG_BIN", "/usr/lib/postgresql/15/bin"))
EXTENSION = Path("/usr/share/postgresql/15/extension/postgis.control")
DATABASE = "naring"
START_TIMEOUT_S = 60


def unavailable():
    """Return why no cluster can be started here, or None when one can."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (BIN / tool).exists():
            return f"{BIN / tool} is missing: run `make pg-deps` (postgresql-15)"
    if not EXTENSION.exists():
        return f"{EXTENSION} is missing: run `make pg-deps` (postgresql-15-postgis-3)"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "no 'postgres' user to run the cluster as (run `make pg-deps`)"
    return None


def free_port():
    """Return a TCP port of 127.0.0.1 that is free now."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class Cluster:
    """A running cluster: its folder, port and the URL of its PostGIS database."""

    folder: Path
    port: int

    @property
    def data(self):
        return self.folder / "data"

    @property
    def url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def ctl(self, *args, check=True):
        """Run ``pg_ctl`` on the cluster (``"stop"``, ``"start"`` …)."""
        cmd = [str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args]
        if args and args[0] in ("start", "restart"):
            log = self.folder / "server.log"
            opts = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
            cmd += ["-l", str(log), "-o", opts]
        return subprocess.run(
            _as_owner(cmd), check=check, capture_output=True, text=True
        )

    def psql(self, sql, database=DATABASE):
        """Run SQL with psql as the superuser; return its output."""
        cmd = [
            str(BIN / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            sql,
        ]
        if not Path(cmd[0]).exists():
            cmd[0] = "psql"
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return done.stdout

    def stop(self, *, remove=True):
        """Stop the server (fast shutdown) and, by default, remove its folder."""
        self.ctl("stop", "-m", "fast", check=False)
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)


def start():
    """Create and start a cluster with a PostGIS database; return the Cluster.

    Raises
    ------
    RuntimeError
        PostgreSQL is missing or did not start (the reason in the message).
    """
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    folder = Path(tempfile.mkdtemp(prefix="naring-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    init = [
        str(BIN / "initdb"),
        "-D",
        str(cluster.data),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    ]
    try:
        subprocess.run(_as_owner(init), check=True, capture_output=True, text=True)
        cluster.ctl("start")
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                cluster.psql("SELECT 1", database="postgres")
                break
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        cluster.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
        cluster.psql("CREATE EXTENSION postgis")
    except subprocess.CalledProcessError as exc:
        log = folder / "server.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        cluster.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}{tail}") from exc
    return cluster


if __name__ == "__main__":
    c = start()
    print(c.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()
