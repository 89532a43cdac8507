"""Where the workbooks of a batch are built: the one place that knows process pools and dask.

:func:`run` hands every :class:`~cpxl.batch.worker.Task` to
:func:`~cpxl.batch.worker.build_one` and yields the outcomes as they finish:

- ``local`` with one job: one after the other, in this process;
- ``local`` with N jobs: a :class:`concurrent.futures.ProcessPoolExecutor` of
  N processes (on Windows and macOS the processes start afresh, so a script
  calling :func:`cpxl.batch.build_many` with ``jobs > 1`` must guard its
  top level with ``if __name__ == "__main__":``);
- ``dask``: a dask.distributed cluster, the one at the scheduler's address
  given (or a ``distributed.Client`` already connected), or else a
  ``LocalCluster`` of N single-threaded worker processes started for the run
  and closed after it. The workers write the workbooks themselves, each
  atomically, so the output folder must be the same path on every worker (a
  shared file system). dask is an optional extra: ``pip install 'cpxl[dask]'``.

A worker that dies (killed, out of memory) fails its task with a message;
the other tasks go on. Stopping the iteration (Ctrl-C) cancels what has not started.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..core.errors import CPError
from .worker import Outcome, Task, build_one

__all__ = ["EXECUTORS", "ExecutorUnavailableError", "run"]

#: The executors :func:`run` knows.
EXECUTORS = ("local", "dask")


class ExecutorUnavailableError(CPError):
    """An executor that cannot run here: dask is not installed."""


def run(tasks: Sequence[Task], *, executor: str = "local", jobs: int = 1, scheduler: Any = None) -> Iterator[Outcome]:
    """Build every task and yield the outcomes as they finish (not in order: see ``Outcome.index``).

    Parameters
    ----------
    tasks : sequence of Task
        What to build [-]
    executor : str
        ``"local"`` or ``"dask"`` [-]
    jobs : int
        Worker processes (``local``), or workers of the LocalCluster started when no scheduler is given [-]
    scheduler : str or distributed.Client, optional
        For ``dask``: the scheduler's address (``tcp://host:8786``) or a connected client [-]

    Yields
    ------
    outcome : Outcome
        One per task [-]

    Examples
    --------
    >>> list(run([]))
    []
    """
    if executor == "local":
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield build_one(task)
        else:
            yield from _pool(tasks, jobs)
    elif executor == "dask":
        yield from _dask(tasks, jobs, scheduler)
    else:
        raise CPError("batch", "executor", f"must be one of {', '.join(EXECUTORS)}", executor)


def _pool(tasks: Sequence[Task], jobs: int) -> Iterator[Outcome]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)))
    try:
        futures = {pool.submit(build_one, task): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker process died
                yield _lost(futures[future], exc)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def dask_available() -> bool:
    """Whether dask.distributed can be imported (the ``cpxl[dask]`` extra)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _dask(tasks: Sequence[Task], jobs: int, scheduler: Any) -> Iterator[Outcome]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ExecutorUnavailableError(
            "batch", "executor", "dask needs dask.distributed, which is not installed: pip install 'cpxl[dask]'"
        ) from None
    cluster = client = None
    try:
        if isinstance(scheduler, Client):
            active = scheduler
        else:
            try:
                if scheduler:
                    client = Client(scheduler, timeout="10s")
                else:
                    cluster = LocalCluster(
                        n_workers=jobs, threads_per_worker=1, dashboard_address=None, silence_logs=40
                    )
                    client = Client(cluster)
            except (OSError, TimeoutError, ValueError) as exc:
                raise CPError("batch", "scheduler", f"cannot be reached ({exc})", scheduler) from None
            active = client
        if not tasks:
            return
        futures = active.map(build_one, list(tasks), pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # the worker died, or the cluster lost the task
                yield _lost(by_key[future.key], exc)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _lost(task: Task, exc: BaseException) -> Outcome:
    return Outcome(task.index, "failed", [("", f"the worker building it stopped ({type(exc).__name__}: {exc})")])
