"""The balance diagram (cpxl.report.sankey, cpxl sankey): geometry on a hand-made flowsheet, the worked example,
the SVG as XML, the PNG LibreOffice draws, the command end to end, Chinese labels.

The geometry is checked against numbers computed here from the stream table, not from the module: widths are
flow × one scale, a unit is as tall as the larger of its inflow and outflow, the closure is (in − out)/in.
"""

from __future__ import annotations

import itertools
import math
import os
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from cpxl.audit import Audit
from cpxl.cli import main
from cpxl.core.errors import CPError
from cpxl.report.sankey import STUB, sankey
from cpxl.workbook.libreoffice import find_soffice

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
needs_libreoffice = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed"),
]


def flowsheet(**names: str) -> Audit:
    """Two units: feed 100 → A; A → B 90 (mid); A → loss (unmeasured); B → product 80 and waste 2.

    A has an unmeasured stream (no closure); B's measured balance is (90 − 82)/90 = +8.9 %, beyond 5 %.
    """
    a, b = names.get("a", "A"), names.get("b", "B")
    streams = [
        {"name": names.get("feed", "feed"), "target": a, "measured": 100, "sigma": 1},
        {"name": "mid", "source": a, "target": b, "measured": 90, "sigma": 1},
        {"name": "loss", "source": a},
        {"name": "product", "source": b, "measured": 80, "sigma": 1},
        {"name": "waste", "source": b, "measured": 2, "sigma": 0.5},
    ]
    return Audit.from_dict(
        {
            "fields": {"company": "Test & Co", "closure_tolerance": 0.05, "mass_unit": "t"},
            "tables": {"units": [{"name": a}, {"name": b}], "streams": streams},
        }
    )


def svg_root(diagram) -> ElementTree.Element:
    return ElementTree.fromstring(diagram.svg())


def band_groups(root: ElementTree.Element) -> list[str]:
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "band"]


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


# --- geometry --------------------------------------------------------------------------------------------------


def test_band_widths_are_proportional_to_the_measured_flows():
    d = sankey(flowsheet(), reconciled=False)
    measured = {"feed": 100, "mid": 90, "product": 80, "waste": 2}
    for name, flow in measured.items():
        band = d.band(name)
        assert band.flow == flow
        assert math.isclose(band.width, flow * d.scale, rel_tol=1e-9, abs_tol=1e-9)
        assert not band.dashed
    ratios = {name: d.band(name).width / flow for name, flow in measured.items()}
    assert max(ratios.values()) - min(ratios.values()) < 1e-9
    loss = d.band("loss")  # unmeasured and not reconciled: a thin dashed stub
    assert loss.dashed and loss.flow is None and loss.width == STUB


def test_node_heights_are_the_larger_of_inflow_and_outflow():
    d = sankey(flowsheet(), reconciled=False)
    a, b = d.node("A"), d.node("B")
    assert math.isclose(a.height, max(100 * d.scale, 90 * d.scale + STUB), rel_tol=1e-9)
    assert math.isclose(b.height, max(90, 80 + 2) * d.scale, rel_tol=1e-9)
    # the bands leave and enter their nodes inside them, stacked without overlap
    for node in (a, b):
        leaving = sorted((x for x in d.bands if x.source == node.name), key=lambda x: x.y0)
        for first, second in itertools.pairwise(leaving):
            assert math.isclose(first.y0 + first.width, second.y0, abs_tol=1e-9)
        assert leaving[0].y0 >= node.y - 1e-9 and leaving[-1].y0 + leaving[-1].width <= node.y + node.height + 1e-9


def test_reconciled_flows_by_default_with_the_adjustment_shown():
    audit = flowsheet()
    result = audit.reconcile()
    d = sankey(audit)
    for i, stream in enumerate(audit.tables["streams"]):
        band = d.band(stream["name"])
        assert math.isclose(band.flow, float(result.value[i]), rel_tol=1e-9)
        assert math.isclose(band.width, band.flow * d.scale, rel_tol=1e-9)
    loss = d.band("loss")  # observable: drawn dashed at its reconciled value (100 − 90 = 10 before adjustment)
    assert loss.dashed and loss.measured is None and loss.flow > 0 and loss.width > STUB
    mid = d.band("mid")
    assert mid.adjusted and mid.measured == 90 and not math.isclose(mid.reconciled, 90)
    root = svg_root(d)
    shown = texts(root)
    assert any(t.startswith("mid: 90 → ") for t in shown), shown
    ticks = [line for line in root.iter(f"{SVG}line") if line.get("class") == "tick"]
    assert len(ticks) == sum(b.adjusted for b in d.bands)
    lengths = sorted(abs(float(t.get("y2")) - float(t.get("y1"))) for t in ticks)
    expected = sorted(b.measured * d.scale for b in d.bands if b.adjusted)
    assert lengths == pytest.approx(expected, rel=1e-6, abs=0.02)


def test_every_stream_is_drawn_exactly_once():
    audit = flowsheet()
    d = sankey(audit)
    names = [s["name"] for s in audit.tables["streams"]]
    assert [b.name for b in d.bands] == names
    assert sorted(band_groups(svg_root(d))) == sorted(names)


def test_inputs_on_the_left_outputs_on_the_right_units_in_flowsheet_order():
    d = sankey(flowsheet())
    inputs = [n for n in d.nodes if n.kind == "input"]
    units = [n for n in d.nodes if n.kind == "unit"]
    outputs = [n for n in d.nodes if n.kind == "output"]
    assert [n.name for n in inputs] == ["feed"]
    assert sorted(n.name for n in outputs) == ["loss", "product", "waste"]
    assert max(n.x for n in inputs) < min(n.x for n in units) <= max(n.x for n in units) < min(n.x for n in outputs)
    assert d.node("A").x < d.node("B").x
    for band in d.bands:  # every band runs left to right
        assert band.x0 < band.x1 and band.lane is None


def test_an_unclosed_unit_is_marked_with_its_closure():
    d = sankey(flowsheet())
    b = d.node("B")
    assert b.closure == pytest.approx((90 - 82) / 90) and b.unclosed
    a = d.node("A")
    assert a.closure is None and not a.unclosed  # an unmeasured stream: no measured closure
    root = svg_root(d)
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "closure"]
    assert marks == ["+8.9 %"]
    red = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#d62728"]
    assert len(red) == 1 and float(red[0].get("x")) == pytest.approx(b.x)
    # within the tolerance: no mark
    audit = flowsheet()
    audit.tables["streams"][3]["measured"] = 87.0
    d = sankey(audit)
    assert d.node("B").closure == pytest.approx(1 / 90) and not d.node("B").unclosed
    assert not [t for t in svg_root(d).iter(f"{SVG}text") if t.get("class") == "closure"]


def test_a_negative_closure_reads_with_a_minus_sign():
    audit = flowsheet()
    audit.tables["streams"][3]["measured"] = 95.4  # B: (90 − 97.4)/90 = −8.2 %
    d = sankey(audit)
    assert d.node("B").unclosed
    assert [t.text for t in svg_root(d).iter(f"{SVG}text") if t.get("class") == "closure"] == ["−8.2 %"]


def test_a_recycle_runs_back_under_the_nodes():
    audit = flowsheet()
    audit.tables["streams"].append(dict(audit.tables["streams"][1], name="recycle", source="B", target="A"))
    audit.tables["streams"][-1]["measured"] = 5.0
    d = sankey(audit, reconciled=False)
    assert d.node("A").column == 1 and d.node("B").column == 2
    recycle = d.band("recycle")
    assert recycle.lane is not None and recycle.lane > max(n.y + n.height for n in d.nodes)
    assert recycle.width == pytest.approx(5 * d.scale, rel=1e-9)
    assert d.height > recycle.lane + recycle.width / 2


# --- the worked example ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_example_draws_every_stream_once_with_the_unmeasured_dashed(lang):
    audit = Audit.example(lang)
    d = sankey(audit, lang=lang)
    streams = audit.tables["streams"]
    assert sorted(band_groups(svg_root(d))) == sorted(s["name"] for s in streams)
    dashed = {b.name for b in d.bands if b.dashed}
    assert dashed == {s["name"] for s in streams if s["measured"] is None}
    if lang == "en":
        assert dashed == {"Off-gas", "Dryer dust"}
    for s in streams:  # boundary streams have their side nodes; units sit in between
        band = d.band(s["name"])
        if s["source"] is None:
            assert d.node(band.source).kind == "input"
        if s["target"] is None:
            assert d.node(band.target).kind == "output"
    assert sum(b.lane is not None for b in d.bands) == 1  # the recovered toluene goes back to the reactor


def test_the_example_in_chinese_has_chinese_labels():
    d = sankey(Audit.example("zh"), lang="zh")
    shown = texts(svg_root(d))
    assert any("物料平衡图" in t for t in shown)
    assert "反应釜" in shown and "流量单位：t" in shown
    assert "Noto Sans CJK SC" in svg_root(d).get("font-family")


def test_svg_is_well_formed_and_escapes_text():
    d = sankey(flowsheet(feed="<A & B>", a="R&D <1>"))
    text = d.svg()
    root = ElementTree.fromstring(text)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert "<A & B>" in texts(root) and "R&D <1>" in texts(root)
    assert "&lt;A &amp; B&gt;" in text and "<A & B>" not in text
    assert any(t == "Material balance: Test & Co" for t in texts(root))


def test_measured_mode_has_no_adjustments():
    d = sankey(Audit.example("en"), reconciled=False)
    assert not any(b.adjusted for b in d.bands)
    assert d.band("Off-gas").flow is None and d.band("Off-gas").width == STUB
    assert "→" not in "".join(texts(svg_root(d)))


def test_an_audit_without_streams_is_an_empty_picture():
    d = sankey(Audit.blank())
    assert d.bands == [] and d.nodes == []
    assert "no streams: nothing to draw" in texts(svg_root(d))


def test_bad_arguments():
    with pytest.raises(CPError, match="lang"):
        sankey(Audit.example(), lang="fr")
    with pytest.raises(CPError, match="audit_or_path"):
        sankey(42)
    with pytest.raises(CPError, match=r"\.svg, \.png or \.html"):
        sankey(Audit.example()).save("balance.pdf")


def test_save_svg_and_html_atomically_refusing_to_overwrite(tmp_path):
    d = sankey(Audit.example("en"))
    out = d.save(tmp_path / "balance.svg")
    ElementTree.parse(out)
    with pytest.raises(CPError, match="exists already"):
        d.save(out)
    d.save(out, overwrite=True)
    page = d.save(tmp_path / "balance.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["balance.html", "balance.svg"]


def test_reads_a_filled_workbook():
    d = sankey(ROOT / "workbook_templates" / "example-en.xlsx")
    assert [b.name for b in d.bands] == [s["name"] for s in Audit.example("en").tables["streams"]]


# --- PNG -------------------------------------------------------------------------------------------------------


def png_size_and_ink(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of non-white bytes of an 8-bit RGB(A) PNG (decoded with zlib, no library)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (2, 6)
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    # filtered scanlines: count bytes that are neither white nor zero differences, a loose measure of drawn ink
    ink = sum(1 for byte in raw if byte not in (0, 255))
    return width, height, ink


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.libreoffice
@pytest.mark.skipif(find_soffice() is None and not IN_CI, reason="LibreOffice (soffice) is not installed")
def test_png_is_rendered(tmp_path, lang):
    d = sankey(Audit.example(lang), lang=lang)
    out = d.save(tmp_path / "balance.png")
    data = out.read_bytes()
    width, height, ink = png_size_and_ink(data)
    assert (width, height) == (round(d.width * 2), round(d.height * 2))
    assert ink > 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["balance.png"]


# --- the command -----------------------------------------------------------------------------------------------


def test_cli_writes_refuses_to_overwrite_and_forces(tmp_path):
    source = Audit.example("en").save(tmp_path / "plant.yaml")
    out = tmp_path / "balance.svg"
    runner = CliRunner()
    result = runner.invoke(main, ["sankey", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    first = out.read_text(encoding="utf-8")
    ElementTree.fromstring(first)
    result = runner.invoke(main, ["sankey", str(source), "--measured", "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert out.read_text(encoding="utf-8") == first
    result = runner.invoke(main, ["sankey", str(source), "--measured", "--lang", "zh", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    second = out.read_text(encoding="utf-8")
    assert "带宽 ∝ 实测流量" in second and "→" not in second


def test_cli_html(tmp_path):
    source = Audit.example("en").save(tmp_path / "plant.yaml")
    result = CliRunner().invoke(main, ["sankey", str(source), "-o", str(tmp_path / "b.html")])
    assert result.exit_code == 0, result.output
    assert "<svg" in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_cli_bad_input_is_one_line_and_exit_code_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("streams: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sankey", str(bad), "-o", str(tmp_path / "b.svg")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.yaml" in lines[0]
    result = CliRunner().invoke(main, ["sankey", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "b.svg")])
    assert result.exit_code == 1 and result.output.startswith("error: ")
    assert not (tmp_path / "b.svg").exists()


def test_cli_usage_errors_exit_2(tmp_path):
    source = Audit.example("en").save(tmp_path / "plant.yaml")
    result = CliRunner().invoke(main, ["sankey", str(source), "-o", str(tmp_path / "b.pdf")])
    assert result.exit_code == 2 and ".svg, .png or .html" in result.output
    result = CliRunner().invoke(main, ["sankey", str(source)])
    assert result.exit_code == 2


def test_cli_help_teaches():
    result = CliRunner().invoke(main, ["sankey", "--help"])
    assert result.exit_code == 0
    assert "cpxl sankey plant.xlsx -o balance.svg" in result.output and "--measured" in result.output
