"""Writing files: whole or not at all, never over an existing file without being asked, even in a race."""

from __future__ import annotations

import errno
import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from cpxl import CPError
from cpxl.io import STALE_AFTER, atomic_write, remove_stale_temporaries


def _write_after_barrier(path, barrier, text, results):
    """Enter atomic_write (the existence check passes), wait for the other writer, then finish."""
    try:
        with atomic_write(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
            barrier.wait(timeout=30)
        results.put((text, "ok"))
    except CPError as exc:
        results.put((text, str(exc)))


@pytest.mark.parametrize("hard_links", [True, False])
def test_two_processes_writing_the_same_new_file_exactly_one_wins(tmp_path, hard_links, monkeypatch):
    # Both pass the "exists?" check before either has written: only the move into place can decide.
    if not hard_links:  # the fallback for file systems without hard links (inherited by forked processes)
        monkeypatch.setattr(os, "link", _no_link)
    context = multiprocessing.get_context("fork")
    path = tmp_path / "same.xlsx"
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_write_after_barrier, args=(path, barrier, t, results)) for t in "ab"]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    outcome = dict(results.get(timeout=5) for _ in workers)
    winners = [t for t, r in outcome.items() if r == "ok"]
    assert len(winners) == 1, outcome
    (loser,) = set("ab") - set(winners)
    assert outcome[loser] == f"write: {path} exists already: choose another name or allow overwriting (--force)"
    assert path.read_text(encoding="utf-8") == winners[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same.xlsx"]  # no temporary file left


def _no_link(src, dst):
    raise OSError(errno.EPERM, "Operation not permitted")


def test_two_cpxl_new_started_together_one_succeeds_the_other_exits_1(tmp_path):
    out = tmp_path / "same.xlsx"
    command = [sys.executable, "-m", "cpxl", "new", "-o", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    finished = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
    codes = sorted(code for code, _ in finished)
    assert codes == [0, 1], finished
    loser = next(err for code, err in finished if code == 1)
    assert "exists already" in loser and "Traceback" not in loser
    assert [p.name for p in tmp_path.iterdir()] == ["same.xlsx"]


def test_without_hard_links_a_new_file_is_still_written_and_an_existing_one_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "link", _no_link)
    path = tmp_path / "out.txt"
    with atomic_write(path) as tmp:
        tmp.write_text("first", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "first"
    path.unlink()
    with pytest.raises(CPError, match="exists already"), atomic_write(path) as tmp:
        tmp.write_text("second", encoding="utf-8")
        path.write_text("someone else's", encoding="utf-8")  # made by someone else while this one writes
    assert path.read_text(encoding="utf-8") == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_overwrite_replaces(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")
    with atomic_write(path, overwrite=True) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert path.read_text(encoding="utf-8") == "new"


def test_a_killed_runs_stale_temporary_files_are_removed_by_the_next_write(tmp_path):
    old = time.time() - STALE_AFTER - 60
    stale, fresh = tmp_path / ".audit.k3j_x9q2.xlsx", tmp_path / ".audit.abcd1234.xlsx"
    others = [tmp_path / ".other.k3j_x9q2.xlsx", tmp_path / ".audit.notrandom.yaml", tmp_path / "audit.bak.xlsx"]
    for file in [stale, fresh, *others]:
        file.write_bytes(b"PK broken")
    for file in [stale, *others]:
        os.utime(file, (old, old))
    with atomic_write(tmp_path / "audit.xlsx") as tmp:
        tmp.write_bytes(b"whole")
    assert not stale.exists()
    assert fresh.exists()  # perhaps another run's file being written: kept
    assert all(file.exists() for file in others)  # not a temporary file of this output: never touched
    assert remove_stale_temporaries(tmp_path / "audit.xlsx", older_than=-1) == [fresh]
