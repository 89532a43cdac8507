"""The reader's view of a sheet (:class:`cpxl.workbook.package.SheetData`): blocks cut from the grid of values."""

from __future__ import annotations

import random

import pytest

from cpxl.workbook.package import SheetData


def sheet_with(cells: dict[tuple[int, int], object]) -> SheetData:
    sheet = SheetData("s")
    for (r, c), value in cells.items():
        sheet.put(r, c, value)
    return sheet


def test_put_grows_the_grid_in_every_direction_and_keeps_every_value():
    cells = {(3, 4): "a", (1, 2): "b", (5, 6): 7.0, (2, 9): True}
    sheet = sheet_with(cells)
    assert sheet.values == cells
    assert (sheet.top, sheet.left, len(sheet.grid), len(sheet.grid[0])) == (1, 2, 5, 8)


@pytest.mark.parametrize("seed", range(5))
def test_a_block_is_the_cells_it_covers_inside_or_outside_the_grid(seed):
    """Against a plain dictionary lookup, for blocks inside, across and outside the cells written."""
    rng = random.Random(seed)
    for _ in range(400):
        cells = {(rng.randint(1, 9), rng.randint(1, 9)): rng.random() for _ in range(rng.randint(1, 5))}
        sheet = sheet_with(cells)
        r1, c1 = rng.randint(1, 11), rng.randint(1, 11)
        r2, c2 = r1 + rng.randint(0, 6), c1 + rng.randint(0, 4)
        expected = [[cells.get((r, c), "") for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        assert sheet.block(r1, c1, r2, c2) == expected


def test_a_block_of_an_empty_sheet_is_blank_and_its_rows_are_distinct():
    rows = SheetData("s").block(2, 3, 4, 4)
    assert rows == [["", ""]] * 3
    rows[0][0] = "x"
    assert rows[1][0] == ""
