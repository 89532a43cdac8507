"""The guide sheet and stage 1, planning and organisation: audit team and work plan."""

from __future__ import annotations

from ...audit.schema import STAGES, TABLES
from ..engine import Sheet, quote_sheet
from ..labels import choice_label
from .context import Context


def guide(ctx: Context, sheet: Sheet) -> None:
    """How to use the workbook, the stage map with links to the sheets, and the colour legend."""
    b, ws = ctx.book, sheet.ws
    sheet.title("guide")
    ws.write_string(sheet.row, 0, ctx.f["company"] or "", b.fmt("subtitle"))
    sheet.row += 1
    if ctx.f["description"]:
        ws.write_string(sheet.row, 0, ctx.f["description"])
        sheet.row += 1
    sheet.row += 1
    ws.write_string(sheet.row, 0, b.text("guide.how"), b.fmt("subtitle"))
    sheet.row += 1
    for k in range(1, 6):
        ws.write_string(sheet.row, 0, f"{k}. " + b.text(f"guide.how.{k}"))
        sheet.row += 1
    sheet.row += 1
    ws.write_string(sheet.row, 0, b.text("guide.stages"), b.fmt("subtitle"))
    sheet.row += 1
    sheets_of_stage = {
        "planning": ["team"],
        "pre_assessment": [
            "company",
            "energy",
            "history",
            "pollutants",
            "wastes",
            "facilities",
            "benchmark",
            "focus",
            "targets",
        ],
        "assessment": ["flowsheet", "balance", "components", "water", "causes"],
        "options": ["options"],
        "feasibility": ["costs", "feasibility"],
        "implementation": ["implementation", "targets"],
        "continuous": ["continuing", "dashboard"],
    }
    for stage in STAGES:
        ws.write_string(sheet.row, 0, choice_label(stage, ctx.lang), b.fmt("label"))
        for j, key in enumerate(sheets_of_stage[stage]):
            name = b.text(f"sheet.{key}")
            ws.write_url(sheet.row, 1 + j, f"internal:{quote_sheet(name)}!A1", string=name)
        sheet.row += 1
    sheet.row += 1
    ws.write_string(sheet.row, 0, b.text("guide.legend"), b.fmt("subtitle"))
    sheet.row += 1
    for role, key in (("input", "guide.input"), ("computed", "guide.computed"), ("flag", "guide.flag")):
        ws.write_string(sheet.row, 0, b.text(key), b.fmt(role))
        sheet.row += 1
    sheet.width(0, 60)
    for col in range(1, 1 + max(len(keys) for keys in sheets_of_stage.values())):
        sheet.width(col, 18)
    ws.activate()


def team(ctx: Context) -> None:
    """The audit team and the work plan (stage 1)."""
    sheet = Sheet(ctx.book, "team")
    ctx.places["team"] = sheet.table("team", "team", ctx.t["team"], ctx.rows("team"), TABLES["team"].keys)
    sheet.beside()
    ctx.places["plan"] = sheet.table("plan", "plan", ctx.t["plan"], ctx.rows("plan"), TABLES["plan"].keys)
    sheet.finish(freeze=False)
