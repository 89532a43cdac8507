"""Energy in tce and its CO2: numbers worked by hand from the tables' coefficients, rows, overrides, refusals.

Sources of the coefficients (see cpxl/core/energy.py): GB/T 2589-2020 Appendix A for tce; IPCC 2006 Vol. 2
ch. 1 Tables 1.2 (net calorific value) and 1.4 (CO2 per TJ) for fuels; the 2022 national electricity factor of
the Ministry of Ecology and Environment and the National Bureau of Statistics for electricity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import cpxl
from cpxl.core.energy import CARRIERS, CO2_FACTORS, TCE_COEFFICIENTS
from cpxl.core.errors import CPError


# ------------------------------------------------------------------------------------------ tce, by hand
@pytest.mark.parametrize(
    ("amount", "carrier", "want"),
    [
        (1.0, "electricity", 0.1229),  # 1,000 kWh x 0.1229 kgce/kWh = 122.9 kgce
        (1.0, "raw coal", 0.7143),  # 1 t x 0.7143 kgce/kg
        (2.0, "washed coal", 1.8),
        (1.0, "coke", 0.9714),
        (1.0, "crude oil", 1.4286),
        (1.0, "fuel oil", 1.4286),
        (1.0, "gasoline", 1.4714),
        (1.0, "kerosene", 1.4714),
        (10.0, "diesel", 14.571),
        (1.0, "LPG", 1.7143),
        (1.0, "natural gas", 13.3),  # 10^4 m3 x 1.3300 kgce/m3
        (100.0, "heat", 3.412),  # 100 GJ x 0.03412 kgce/MJ
        (1.0, "steam", 0.1286),
    ],
)
def test_tce_of_each_carrier_by_hand(amount, carrier, want):
    assert cpxl.tce(amount, carrier) == pytest.approx(want, rel=1e-12)


def test_every_carrier_has_a_coefficient_a_co2_factor_and_a_source():
    assert set(TCE_COEFFICIENTS) == set(CO2_FACTORS) == set(CARRIERS)
    for key in CARRIERS:
        assert TCE_COEFFICIENTS[key].value > 0 and TCE_COEFFICIENTS[key].source
        assert TCE_COEFFICIENTS[key].unit == f"tce/{CARRIERS[key].unit}"
        assert CO2_FACTORS[key].source


@pytest.mark.parametrize(
    "name", ["原煤", "Raw Coal", "  raw   coal ", "raw-coal", "RAW_COAL", "coal"], ids=lambda s: s.strip() or "blank"
)
def test_a_carrier_is_named_in_english_or_chinese_in_any_case(name):
    assert cpxl.tce(1.0, name) == 0.7143


@pytest.mark.parametrize(("zh", "en"), [(c.zh, c.en) for c in CARRIERS.values()])
def test_every_chinese_name_is_its_english_carrier(zh, en):
    assert cpxl.tce(3.0, zh) == cpxl.tce(3.0, en)
    assert cpxl.co2(3.0, zh) == cpxl.co2(3.0, en)


def test_rows_are_converted_one_by_one_and_blank_rows_stay_blank():
    got = cpxl.tce([1.0, 2.0, None, 4.0], ["electricity", "原煤", None, "diesel"])
    assert isinstance(got, np.ndarray) and got.shape == (4,)
    np.testing.assert_allclose(got[[0, 1, 3]], [0.1229, 1.4286, 5.8284], rtol=1e-12)
    assert math.isnan(got[2])
    # a carrier whose amount is not filled in yet is an empty row too
    assert math.isnan(cpxl.tce([None], ["coke"])[0])


def test_a_single_carrier_or_amount_applies_to_every_row():
    np.testing.assert_allclose(cpxl.tce([1.0, 2.0], "raw coal"), [0.7143, 1.4286], rtol=1e-12)
    np.testing.assert_allclose(cpxl.tce(2.0, ["raw coal", "coke"]), [1.4286, 1.9428], rtol=1e-12)


def test_ranges_of_any_shape_are_read_in_reading_order():
    np.testing.assert_allclose(cpxl.tce([[1.0], [2.0]], [["coke"], ["coke"]]), [0.9714, 1.9428], rtol=1e-12)


def test_a_negative_amount_converts_as_well():
    assert cpxl.tce(-1.0, "electricity") == -0.1229


def test_the_sum_is_the_comprehensive_energy_consumption():
    # 1,200 MWh, 500 t raw coal, 20 t diesel: 147.48 + 357.15 + 29.142 = 533.772 tce
    rows = cpxl.tce([1200.0, 500.0, 20.0], ["electricity", "raw coal", "diesel"])
    assert float(rows.sum()) == pytest.approx(533.772, rel=1e-12)


def test_a_coefficient_overrides_the_table_row_by_row():
    got = cpxl.tce([1.0, 1.0, 1.0], ["natural gas", "raw coal", "biogas"], [12.143, None, 0.714])
    np.testing.assert_allclose(got, [12.143, 0.7143, 0.714], rtol=1e-12)
    assert cpxl.tce(2.0, "anything", 0.5) == 1.0  # with a coefficient the carrier is only a label


def test_electricity_by_the_equivalent_value_of_power_generation():
    assert cpxl.tce(1.0, "electricity", electricity=0.305) == 0.305
    assert cpxl.tce(1.0, "electricity", electricity="当量值") == 0.1229
    assert cpxl.tce(1.0, "diesel", electricity=0.305) == 1.4571  # other carriers are untouched
    assert cpxl.tce(1.0, "electricity", 0.2, electricity=0.305) == 0.2  # the row's coefficient wins


# ------------------------------------------------------------------------------------------ co2, by hand
@pytest.mark.parametrize(
    ("carrier", "want"),
    [
        ("raw coal", 25.8 * 94.6e-3),  # other bituminous coal: 25.8 GJ/t x 94,600 kg/TJ
        ("washed coal", 28.2 * 94.6e-3),
        ("coke", 28.2 * 107.0e-3),
        ("crude oil", 42.3 * 73.3e-3),
        ("fuel oil", 40.4 * 77.4e-3),
        ("gasoline", 44.3 * 69.3e-3),
        ("kerosene", 43.8 * 71.9e-3),
        ("diesel", 3.1863),  # 43.0 GJ/t x 74,100 kg/TJ
        ("LPG", 47.3 * 63.1e-3),
        ("natural gas", 389.31 * 56.1e-3),  # 21.84 t per 10^4 m3
        ("electricity", 0.5366),
        ("heat", 0.11),
        ("steam", 0.41393),  # 3.763 GJ/t x 0.11 t/GJ
    ],
)
def test_co2_of_each_carrier_by_hand(carrier, want):
    assert cpxl.co2(1.0, carrier) == pytest.approx(want, rel=1e-12)


def test_co2_overrides():
    assert cpxl.co2(10.0, "electricity", grid=0.5703) == pytest.approx(5.703, rel=1e-12)
    assert cpxl.co2(1.0, "raw coal", ncv=20.908) == pytest.approx(20.908 * 94.6e-3, rel=1e-12)
    assert cpxl.co2(1.0, "raw coal", ncv=20.908, oxidation=0.94) == pytest.approx(20.908 * 94.6e-3 * 0.94, rel=1e-12)
    got = cpxl.co2([1.0, 1.0], ["diesel", "biomass"], [None, 0.0001])
    np.testing.assert_allclose(got, [3.1863, 0.0001], rtol=1e-12)
    np.testing.assert_allclose(cpxl.co2([2.0, 2.0], "diesel", oxidation=[0.98, None]), [6.3726 * 0.98, 6.3726])


def test_co2_rows_and_blank_rows():
    got = cpxl.co2([100.0, None, 20.0], ["原煤", "", "电力"])
    np.testing.assert_allclose(got[[0, 2]], [244.068, 10.732], rtol=1e-12)
    assert math.isnan(got[1])


# ------------------------------------------------------------------------------------------ refusals
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: cpxl.tce(1.0, "biogas"),
            "tce: carrier names 'biogas', which is not in the table (raw coal, washed coal, coke, crude oil, "
            "fuel oil, gasoline, kerosene, diesel, LPG, natural gas, electricity, heat, steam; or the Chinese "
            "names): give its coefficient",
        ),
        (
            lambda: cpxl.tce([1.0, 2.0], ["coke", "bio gas"]),
            "tce: carrier[2] names 'bio gas', which is not in the table",
        ),
        (
            lambda: cpxl.tce([1.0, 2.0], ["coke", None]),
            "tce: carrier[2] is blank: name the carrier or leave the whole row empty",
        ),
        (lambda: cpxl.tce(["a"], "coke"), "tce: amount must be a number, got 'a'"),
        (lambda: cpxl.tce([1.0, 2.0, 3.0], ["coke", "coke"]), "tce: carrier must have one entry per row (3)"),
        (lambda: cpxl.tce(1.0, "coke", -1.0), "tce: coefficient must be > 0, got -1"),
        (lambda: cpxl.tce([1.0, 1.0], "coke", [0.9, 0.0]), "tce: coefficient[2] must be > 0, got 0"),
        (
            lambda: cpxl.tce(1.0, "electricity", electricity="generation"),
            "tce: electricity must be \"equivalent\" or a number in kgce/kWh, got 'generation'",
        ),
        (
            lambda: cpxl.tce(1.0, "electricity", electricity=305),
            "tce: electricity must be in kgce/kWh: 305 gce/kWh is 0.305, got 305",
        ),
        (lambda: cpxl.tce(1.0, "electricity", electricity=0), "tce: electricity must be > 0 (kgce/kWh), got 0"),
        (lambda: cpxl.tce(math.inf, "coke"), "tce: amount must be finite, got inf"),
        (lambda: cpxl.co2(1.0, "peat"), "co2: carrier names 'peat', which is not in the table"),
        (lambda: cpxl.co2(1.0, "coke", oxidation=1.2), "co2: oxidation must lie in (0, 1], got 1.2"),
        (lambda: cpxl.co2(1.0, "coke", ncv=0), "co2: ncv must be > 0, got 0"),
        (lambda: cpxl.co2(1.0, "coke", factor=-2), "co2: factor must be > 0, got -2"),
        (lambda: cpxl.co2(1.0, "electricity", grid=570.3), "co2: grid must be in t CO2/MWh: 570.3 g/kWh is 0.5703"),
        (lambda: cpxl.co2(1.0, "electricity", grid=-1), "co2: grid must be > 0 (t CO2/MWh), got -1"),
        (lambda: cpxl.co2([1.0, 2.0], "coke", ncv=[1, 2, 3]), "co2: ncv must have one entry per row (2)"),
    ],
)
def test_every_refusal_says_what_is_wrong(call, message):
    with pytest.raises(CPError) as info:
        call()
    assert str(info.value).startswith(message)


def test_a_result_beyond_the_float_range_is_an_error_not_inf():
    with pytest.raises(CPError, match="beyond the float range"):
        cpxl.tce(1e308, "natural gas")
