"""Mass metrics: ELF, E-factor, PMI, RME, reduction, reuse rate, balance closure."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cpxl
from cpxl import CPError, CPWarning

masses = st.lists(st.floats(0.0, 1e6, allow_nan=False, allow_subnormal=False), min_size=1, max_size=8)
positive = st.floats(1e-3, 1e6)


def test_elf_of_the_readme_example():
    # (100 + 90 + 1000 - 50) / 50 = 1140 / 50
    assert cpxl.elf([100, 90, 1000], 50) == pytest.approx(22.8, rel=1e-15)


@pytest.mark.parametrize(
    "raw",
    [
        [100, 90, 1000],
        np.array([[100, 90], [1000, np.nan]]),
        pd.Series([100, None, 90, 1000]),
        pd.DataFrame({"a": [100, 90], "b": [1000, None]}),
        (100.0, 90.0, 1000.0, ""),
    ],
)
def test_every_container_is_summed_with_blanks_ignored(raw):
    assert cpxl.elf(raw, 50) == pytest.approx(22.8)


def test_negative_elf_is_returned_with_a_warning_that_an_input_is_missing():
    # An oxidation that takes O2 from the air: 80 kg fed, 100 kg of product.
    with pytest.warns(CPWarning, match="input such as air or water"):
        assert cpxl.elf([80], 100) == pytest.approx(-0.2)


def test_positive_elf_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cpxl.elf([120], 100)


def test_efactor_pmi_rme_by_hand():
    assert cpxl.efactor([12.5, 7.5], 4) == 5.0
    assert cpxl.pmi([100, 90, 1000], 50) == pytest.approx(23.8)
    assert cpxl.rme(74.5, [57.3, 60.2]) == pytest.approx(74.5 / 117.5)


def test_reduction_reuse_rate_closure_by_hand():
    assert cpxl.reduction(1250, 1000) == pytest.approx(0.2)
    assert cpxl.reduction(1000, 1250) == pytest.approx(-0.25)
    assert cpxl.reuse_rate(120, 880) == pytest.approx(0.88)
    assert cpxl.reuse_rate(0, 50) == 1.0
    # in 1250, out 1225: 25 kg unaccounted for
    assert cpxl.balance_closure([1000, 250], [1180, 45]) == pytest.approx(0.02)
    # the same with 25 kg accumulated in the tank: closes exactly
    assert cpxl.balance_closure([1000, 250], [1180, 45], 25) == pytest.approx(0.0, abs=1e-15)
    # more out than in: negative
    assert cpxl.balance_closure([100], [110], [None]) == pytest.approx(-0.1)
    # the stock may fall (negative change)
    assert cpxl.balance_closure([100], [110], -10) == pytest.approx(0.0)


@given(st.lists(positive, min_size=1, max_size=8), positive)
def test_elf_is_pmi_minus_one_when_all_inputs_are_fresh(raw, product):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CPWarning)
        assert cpxl.elf(raw, product) == pytest.approx(cpxl.pmi(raw, product) - 1, rel=1e-9, abs=1e-9)


@given(st.lists(positive, min_size=1, max_size=8), positive, st.floats(1e-3, 1e3))
def test_scaling_all_masses_leaves_elf_pmi_efactor_unchanged(raw, product, factor):
    scaled = [m * factor for m in raw]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CPWarning)
        assert cpxl.elf(scaled, product * factor) == pytest.approx(cpxl.elf(raw, product), rel=1e-9, abs=1e-12)
    assert cpxl.pmi(scaled, product * factor) == pytest.approx(cpxl.pmi(raw, product), rel=1e-9)
    assert cpxl.efactor(scaled, product * factor) == pytest.approx(cpxl.efactor(raw, product), rel=1e-9)


@given(masses.filter(lambda xs: sum(xs) > 0), st.integers(0, 7), st.floats(0, 1))
def test_closure_of_a_balanced_set_is_zero(inputs, split_at, stock_share):
    # Send the inputs out again as outputs and a stock change, cut differently.
    fed = sum(inputs)
    stock = fed * stock_share
    outputs = [fed - stock] if split_at == 0 else [(fed - stock) / split_at] * split_at
    assert cpxl.balance_closure(inputs, outputs, stock) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cpxl.elf([100], 0), "elf: product must be > 0, got 0"),
        (lambda: cpxl.elf([100], [None]), "elf: product has no values"),
        (lambda: cpxl.elf([], 5), "elf: raw_materials has no values"),
        (lambda: cpxl.elf([100, -3], 5), "elf: raw_materials[2] must be >= 0, got -3"),
        (lambda: cpxl.elf([100, "ten"], 5), "elf: raw_materials[2] must be a number, got 'ten'"),
        (lambda: cpxl.elf([100, np.inf], 5), "elf: raw_materials[2] must be finite, got inf"),
        (lambda: cpxl.elf([100, True], 5), "elf: raw_materials[2] must be a number, got True"),
        (lambda: cpxl.efactor([1], -2), "efactor: product must be > 0, got -2"),
        (lambda: cpxl.efactor(None, 2), "efactor: waste has no values"),
        (lambda: cpxl.pmi([1], 0), "pmi: product must be > 0, got 0"),
        (lambda: cpxl.rme(10, [0]), "rme: reactants must sum to > 0, got 0"),
        (lambda: cpxl.rme(10, [4, 5]), "rme: product cannot exceed the reactants (9), got 10"),
        (lambda: cpxl.reduction(0, 1), "reduction: before must be > 0, got 0"),
        (lambda: cpxl.reduction(10, -1), "reduction: after must be >= 0, got -1"),
        (lambda: cpxl.reuse_rate(0, 0), "reuse_rate: fresh plus reused must be > 0, got 0"),
        (lambda: cpxl.balance_closure([0], [1]), "balance_closure: inputs must sum to > 0, got 0"),
        (lambda: cpxl.balance_closure([1], ["x"]), "balance_closure: outputs must be a number, got 'x'"),
        (lambda: cpxl.balance_closure([1], [1], "x"), "balance_closure: stock_change must be a number"),
    ],
)
def test_invalid_input_names_function_argument_and_value(call, message):
    with pytest.raises(CPError) as info:
        call()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)
