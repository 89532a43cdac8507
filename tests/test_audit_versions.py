"""Indicator weights as the indicator systems publish them (two levels), and files of schema versions 1 and 2."""

from __future__ import annotations

import pytest

from cpxl import grade
from cpxl.audit import SCHEMA_VERSION, Audit, AuditError
from cpxl.audit.versions import upgrade

# A version-1 file: one composite weight per indicator (the example's, first-level x second-level).
COMPOSITE = [0.15, 0.15, 0.10, 0.15, 0.10, 0.15, 0.10, 0.10]


def version_2() -> dict:
    """The example as a version-2 file: no components, no contents of streams."""
    data = Audit.example().to_dict()
    data["schema_version"] = 2
    del data["tables"]["components"]
    data["tables"]["streams"] = [
        {k: v for k, v in s.items() if not k.startswith("content")} for s in data["tables"]["streams"]
    ]
    return data


def example_without_components() -> Audit:
    data = version_2()
    data["schema_version"] = SCHEMA_VERSION
    return Audit.from_dict(data)


def version_1() -> dict:
    data = version_2()
    data["schema_version"] = 1
    for record, weight in zip(data["tables"]["indicators"], COMPOSITE, strict=True):
        del record["group_weight"], record["weight_in_group"]
        record["weight"] = weight
    return data


def test_a_version_1_file_loads_with_the_two_levels_recovered_exactly():
    audit = Audit.from_dict(version_1())
    assert audit == example_without_components()
    assert audit.schema_version == SCHEMA_VERSION == 3
    assert audit.indicator_weights() == pytest.approx(COMPOSITE, abs=1e-12)
    rows = audit.tables["indicators"]
    # the example's groups: resources 0.4 (0.375, 0.375, 0.25), recycling and pollution 0.25 (0.6, 0.4), management 0.1
    assert [r["group_weight"] for r in rows] == pytest.approx([0.4, 0.4, 0.4, 0.25, 0.25, 0.25, 0.25, 0.1])
    assert [r["weight_in_group"] for r in rows] == pytest.approx([0.375, 0.375, 0.25, 0.6, 0.4, 0.6, 0.4, 1.0])


def test_a_version_2_file_loads_as_version_3_with_no_components():
    audit = Audit.from_dict(version_2())
    assert audit == example_without_components()
    assert audit.schema_version == 3
    assert audit.tables["components"] == []
    assert all(s["content_1"] is None for s in audit.tables["streams"])
    assert audit.reconcile_components() is None
    assert upgrade(version_2()) == {**version_2(), "schema_version": 3}


def test_upgrading_leaves_current_data_alone_and_does_not_touch_its_input():
    data = Audit.example().to_dict()
    assert upgrade(data) is data
    old = version_1()
    upgrade(old)
    assert "weight" in old["tables"]["indicators"][0]


def test_the_grade_of_the_composite_weights_is_the_published_methods():
    audit = Audit.example()
    rows = audit.tables["indicators"]
    assert grade(
        [r["value"] for r in rows],
        [r["level_1"] for r in rows],
        [r["level_2"] for r in rows],
        [r["level_3"] for r in rows],
        [r["lower_is_better"] for r in rows],
        audit.indicator_weights(),
        groups=[r["group"] for r in rows],
        limiting=[r["limiting"] for r in rows],
    ) == grade(
        [r["value"] for r in rows],
        [r["level_1"] for r in rows],
        [r["level_2"] for r in rows],
        [r["level_3"] for r in rows],
        [r["lower_is_better"] for r in rows],
        COMPOSITE,
        groups=[r["group"] for r in rows],
        limiting=[r["limiting"] for r in rows],
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda rows: rows[1].update(group_weight=0.3),
            "indicators of the group 'Resources' (rows [1, 2, 3]) must share one group_weight, got 0.3, 0.4",
        ),
        (
            lambda rows: rows[2].update(weight_in_group=0.35),
            "indicators of the group 'Resources': weight_in_group must sum to 1 within the group (give 20 % as 0.2), "
            "got 1.1",
        ),
        (
            lambda rows: rows[7].update(group_weight=0.2),
            "indicators: the group weights must sum to 1 over the groups (give 20 % as 0.2), got 1.1",
        ),
    ],
)
def test_two_levels_that_do_not_add_up_are_named(change, message):
    data = Audit.example().to_dict()
    change(data["tables"]["indicators"])
    with pytest.raises(AuditError) as info:
        Audit.from_dict(data)
    assert info.value.problems == [message]
