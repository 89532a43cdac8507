"""Molar masses and atom economy."""

import pytest

import cpxl
from cpxl import CPError

# IUPAC 2021 standard (abridged) atomic weights, typed in independently of molmass.
H, C, N, O, S, Cl, Ca, Cu = 1.008, 12.011, 14.007, 15.999, 32.06, 35.45, 40.078, 63.546


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("H2O", 2 * H + O),
        ("CH3Cl", C + 3 * H + Cl),
        ("Ca(OH)2", Ca + 2 * (O + H)),
        ("CuSO4·5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4*5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4.5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4 · 5 H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CaSO4·0.5H2O", Ca + S + 4 * O + 0.5 * (2 * H + O)),
        ("CaSO4·1/2H2O", Ca + S + 4 * O + 0.5 * (2 * H + O)),
        ("(NH4)2SO4", 2 * (N + 4 * H) + S + 4 * O),
        ("C6H5OH", 6 * C + 6 * H + O),
        # the katakana middle dot of Chinese and Japanese input methods, its halfwidth form, other dots
        ("CuSO4・5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4･5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4•5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        ("CuSO4．5H2O", Cu + S + 4 * O + 5 * (2 * H + O)),
        # vulgar fractions as counts; fullwidth letters and subscript digits as input methods type them
        ("CaSO4·½H2O", Ca + S + 4 * O + 0.5 * (2 * H + O)),
        ("CaSO4·1½H2O", Ca + S + 4 * O + 1.5 * (2 * H + O)),
        ("H₂O", 2 * H + O),
        ("ＣａＯ", Ca + O),
    ],
)
def test_mw_against_iupac_atomic_weights(formula, expected):
    assert cpxl.mw(formula) == pytest.approx(expected, abs=0.01)


def test_isotopes_in_brackets():
    # D2O: 2 x 2.014102 (deuterium) + 15.999
    assert cpxl.mw("[2H]2O") == pytest.approx(2 * 2.014102 + O, abs=1e-3)
    assert cpxl.mw("[13C]H4") == pytest.approx(13.003355 + 4 * H, abs=1e-3)


# Cement chemistry: molar masses as published independently of molmass (PubChem compound pages):
# tricalcium aluminate 3CaO·Al2O3 (C3A) 270.19 g/mol, dicalcium silicate 2CaO·SiO2 (C2S) 172.24 g/mol,
# tricalcium silicate 3CaO·SiO2 (C3S) 228.32 g/mol, calcium sulfate hemihydrate CaSO4·½H2O 145.15 g/mol.
@pytest.mark.parametrize(
    ("formula", "published"),
    [
        ("3CaO·Al2O3", 270.19),
        ("3CaO・Al2O3", 270.19),
        ("3CaO.Al2O3", 270.19),
        ("2CaO·SiO2", 172.24),
        ("3CaO·SiO2", 228.32),
        ("CaSO4·½H2O", 145.15),
    ],
)
def test_mw_of_cement_notation_against_published_values(formula, published):
    assert cpxl.mw(formula) == pytest.approx(published, abs=0.01)


def test_cement_notation_is_the_sum_of_its_parts():
    assert cpxl.mw("3CaO·Al2O3") == pytest.approx(3 * cpxl.mw("CaO") + cpxl.mw("Al2O3"))
    assert cpxl.mw("1.5CaO·SiO2") == pytest.approx(1.5 * cpxl.mw("CaO") + cpxl.mw("SiO2"))


def test_a_decimal_molar_mass_is_a_number():
    from decimal import Decimal

    expected = cpxl.atom_economy(16.0, [32.0])
    assert cpxl.atom_economy(Decimal("16"), [Decimal("32.0")]) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("2H2O", "mw: formula starts with a number"),
        ("½H2O", "mw: formula starts with a number"),
        ("H2O·1/0H2O", "mw: formula has an empty or zero part, got 'H2O·1/0H2O'"),
        ("CaSO4·½", "mw: formula has a fraction that is not the count of a part, got 'CaSO4·½'"),
        ("CuSO4½", "mw: formula has a fraction that is not the count of a part"),
        ("CaSO4·H½O", "mw: formula has a fraction that is not the count of a part"),
        ("CuSO4·²H2O", "mw: formula has superscript digits, which may be a mass number or a charge"),
        ("Xy", "mw: formula is not a chemical formula (unknown symbol 'Xy'), got 'Xy'"),
        ("", "mw: formula is blank"),
        ("CuSO4·", "mw: formula has an empty or zero part, got 'CuSO4·'"),
        ("H2O)", "mw: formula is not a chemical formula"),
        (18.0, "mw: formula must be text such as 'CH3Cl', got 18"),
    ],
)
def test_mw_errors(formula, message):
    with pytest.raises(CPError, match=None) as info:
        cpxl.mw(formula)
    assert str(info.value).startswith(message)


def test_atom_economy_of_the_chlorohydrin_route_to_ethylene_oxide():
    # Sheldon, R. A. "The E factor: fifteen years on." Green Chem. 9 (2007) 1273-1283, Fig. 3:
    # CH2=CH2 + Cl2 + Ca(OH)2 -> C2H4O + CaCl2 + H2O has an atom economy of 25 %
    # (44 / 173); the catalytic route CH2=CH2 + 1/2 O2 -> C2H4O has 100 %.
    assert round(cpxl.atom_economy("C2H4O", ["C2H4", "Cl2", "Ca(OH)2"]), 2) == 0.25
    assert cpxl.atom_economy("C2H4O", ["C2H4", "O2"], [1, 0.5]) == pytest.approx(1.0)


def test_atom_economy_of_methyl_chloride_from_methanol():
    # CH3OH + HCl -> CH3Cl + H2O: 50.49 / (32.04 + 36.46)
    expected = (C + 3 * H + Cl) / ((C + 4 * H + O) + (H + Cl))
    assert cpxl.atom_economy("CH3Cl", ["CH3OH", "HCl"]) == pytest.approx(expected, rel=1e-4)


def test_atom_economy_mixes_masses_and_formulas_and_skips_blank_rows():
    expected = 50.0 / (2 * 18.015 + 14.0)
    assert cpxl.atom_economy(50.0, ["H2O", 14.0, None], [2, 1, None]) == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((200, [50, 60]), "atom_economy: product is heavier than the reactants (110 g/mol)"),
        (("CH3Cl", []), "atom_economy: reactants has no values"),
        (("CH3Cl", [None, None]), "atom_economy: reactants has no values"),
        (("CH3Cl", ["CH3OH", -1]), "atom_economy: reactants[2] must be a molar mass > 0 or a formula, got -1"),
        (("CH3Cl", ["CH3OH", "HCl"], [1]), "atom_economy: coefficients must have one entry per reactant (2)"),
        (("CH3Cl", ["CH3OH", "HCl"], [1, 0]), "atom_economy: coefficients[2] must be > 0, got 0"),
        (("CH3Cl", ["CH3OH", "HCl"], [1, None]), "atom_economy: coefficients[2] is blank"),
        (("Qq", ["CH3OH"]), "atom_economy: product is not a chemical formula"),
        (("CH3Cl", ["CH3OH", "Zz"]), "atom_economy: reactants[2] is not a chemical formula"),
    ],
)
def test_atom_economy_errors(args, message):
    with pytest.raises(CPError) as info:
        cpxl.atom_economy(*args)
    assert str(info.value).startswith(message)
