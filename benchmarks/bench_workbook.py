"""Benchmark building the example audit workbook against a bare XlsxWriter script making the same calls.

The baseline is the least any builder of this file must do: the very XlsxWriter calls cpxl's build makes (every
cell, formula with its cached value, format, validation, conditional format, chart, defined name, property),
recorded once and replayed with nothing computed, with the same workbook options. What cpxl adds on top is
its own work: computing every cached value with cpxl.core (reconciliation included), the formulas' text, the
layout. Both are timed alternately (``--repeats`` times) so that both see the same load.

Run: ``python benchmarks/bench_workbook.py [--repeats 15]``. Prints the median seconds of each and their ratio
(target: cpxl / bare <= 1.15).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import xlsxwriter
from timing import paired_medians, record
from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cpxl.audit import Audit
from cpxl.workbook import build


class _Ref(NamedTuple):
    """An XlsxWriter object (worksheet, format, chart) in a recorded call, by its number."""

    number: int


class _Recording:
    """Every call cpxl's build makes on XlsxWriter objects, in order, to be replayed with nothing computed."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}
        # (object, method, args, kwargs, result, where the arguments refer to objects)
        self.calls: list[tuple[int, str, tuple, dict, int | None, str | None]] = []
        self.count = 1  # object 0 is the workbook


class _Recorder:
    """Stands for an XlsxWriter object: forwards each call to it and records the call."""

    def __init__(self, recording: _Recording, real: Any, number: int):
        self._recording, self._real, self._number = recording, real, number

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*_real(args), **_real(kwargs))
            number = None
            if isinstance(result, (Worksheet, Format, Chart)):
                number, self._recording.count = self._recording.count, self._recording.count + 1
                result = _Recorder(self._recording, result, number)
            args, kwargs = _refs(args), _refs(kwargs)
            self._recording.calls.append((self._number, name, args, kwargs, number, _where_refs(args, kwargs)))
            return result

        return call


def _real(value: Any) -> Any:
    if isinstance(value, _Recorder):
        return value._real
    if isinstance(value, dict):
        return {k: _real(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_real(v) for v in value)
    return value


def _refs(value: Any) -> Any:
    if isinstance(value, _Recorder):
        return _Ref(value._number)
    if isinstance(value, dict):
        return {k: _refs(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not isinstance(value, _Ref):
        return type(value)(_refs(v) for v in value)
    return value


def recorded_build(audit: Audit, path: Path) -> _Recording:
    """Build *audit* into *path* as cpxl does, recording every XlsxWriter call."""
    import importlib

    builder = importlib.import_module("cpxl.workbook.build")  # the module: cpxl.workbook.build is the function
    recording = _Recording()
    original = builder.xlsxwriter.Workbook

    def workbook(filename: str, options: dict[str, Any] | None = None) -> _Recorder:
        recording.options = dict(options or {})
        return _Recorder(recording, original(filename, options), 0)

    builder.xlsxwriter.Workbook = workbook
    try:
        build(audit, path)
    finally:
        builder.xlsxwriter.Workbook = original
    return recording


def replay(recording: _Recording, path: Path) -> None:
    """The baseline: the recorded XlsxWriter calls, made again into *path*, with nothing computed."""
    objects: dict[int, Any] = {0: xlsxwriter.Workbook(str(path), recording.options)}

    def resolve(value: Any) -> Any:
        if isinstance(value, _Ref):
            return objects[value.number]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(resolve(v) for v in value)
        return value

    for number, name, args, kwargs, result, refs in recording.calls:
        if refs == "top":  # most calls: a format among plain arguments
            args = [objects[a.number] if type(a) is _Ref else a for a in args]
        elif refs == "deep":
            args, kwargs = resolve(args), resolve(kwargs)
        made = getattr(objects[number], name)(*args, **kwargs)
        if result is not None:
            objects[result] = made


def _where_refs(args: tuple, kwargs: dict) -> str | None:
    """Where a recorded call holds references to objects: nowhere, among its arguments, or deeper."""
    if kwargs or any(isinstance(a, (dict, list)) or (isinstance(a, tuple) and type(a) is not _Ref) for a in args):
        return "deep"
    return "top" if any(type(a) is _Ref for a in args) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    audit = Audit.example()
    recording = recorded_build(audit, folder / "reference.xlsx")
    counter = iter(range(10**9))

    def cpxl_build() -> None:
        build(audit, folder / f"cpxl{next(counter)}.xlsx")

    def bare() -> None:
        replay(recording, folder / f"bare{next(counter)}.xlsx")

    cpxl_build(), bare()  # warm up imports and caches
    t_cpxl, t_bare = paired_medians(cpxl_build, bare, args.repeats)
    cells = sum(name.startswith("write") for _, name, *_ in recording.calls)
    print(f"example workbook: {len(recording.calls)} XlsxWriter calls, {cells} cells written")
    print(f"{'':24}{'median s':>10}")
    print(f"{'cpxl build':24}{t_cpxl:>10.4f}")
    print(f"{'bare XlsxWriter':24}{t_bare:>10.4f}")
    print(f"ratio cpxl / bare: {t_cpxl / t_bare:.2f} (target <= 1.15), medians of {args.repeats} runs")
    record("build, the example", t_cpxl, t_bare, baseline_name="XlsxWriter replaying the same calls", max_ratio=1.15)


if __name__ == "__main__":
    main()
