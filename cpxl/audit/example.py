"""The worked example: a fine-chemicals plant, one year of data, whose numbers agree with each other.

The plant makes 2,000 t/yr of a dye intermediate in four steps (condensation,
sulfonation, crystallisation, drying) with toluene as solvent, recovered by
distillation. The flowsheet's true flows balance exactly at every unit; the
"measured" values carry realistic measurement errors, so the balance sheet shows
small closure gaps and the reconciliation has something to do. The off-gas and
the dryer dust are not measured: the reconciliation computes them.

True annual flows (t): reactor in 1,500 A + 900 B + 150 fresh toluene + 1,350
recovered toluene + 3,000 water = 6,900 = 6,800 to the crystalliser + 100
off-gas; centrifuge 6,800 = 2,500 wet cake + 4,300 mother liquor; dryer 2,500 =
2,000 product + 480 vapour + 20 dust; solvent recovery 4,300 = 1,350 toluene +
2,800 wastewater + 150 residue. Plant: in 5,550 = out 5,550.

The toluene balance (the component sheet): 150 t fresh toluene at 99.5 % and
1,350 t recovered at 98 % bring 1,472 t of toluene into the reactor; 30 t
leave with the off-gas (30 % of it), the rest with the reaction mass (21.2 %).
The centrifuge splits it into 65 t in the wet cake (2.6 %) and 1,377 t in the
mother liquor (32 %); the dryer loses 60 t with its vapour (12.5 %), 4 t with
the dust (20 %) and 1 t stays in the product (0.05 %); distillation recovers
1,323 t, 1.4 t go with the wastewater (0.05 %, 500 mg/L) and 53 t with the
residue (35 %). The losses add up to the 149 t of fresh toluene bought. The
off-gas and the dust are not analysed: the reconciliation computes their
toluene from the balances.

The options: F2 (a larger condenser) and F3 (mother-liquor recycling) carry the
investment and benefit breakdowns of their feasibility reports (F3 with a
200,000 CNY cleaner-production grant). Within the 1.5 M CNY budget the best
portfolio takes every option that passed screening but F3, which does not fit
beside F2; F4 (seal-water reuse) needs F8 (pump-seal maintenance) and F7 (a
water-based process) would exclude F2. F1, F4 and F5 are done: F4 cost 16 %
more than estimated. With the implemented options the indicators move (fresh
water 1.36 m³/t, COD 19.2 kg/t, solid waste 0.078 t/t) and the plant's level
rises from III to II.

Energy and carbon (the energy sheet): the plant buys 1,850 MWh of electricity
from the grid, 3,040 t of low-pressure steam from the industrial park's
cogeneration plant (the reactors' jackets and the recovery column), natural gas
for the dryer's hot-air furnace and 17.8 t of diesel for its forklifts. By the
reference coefficients of GB/T 2589 the electricity is 1,850 × 0.1229 = 227.4
tce (calorific equivalent), the steam 3,040 × 0.1286 = 390.9 tce and the diesel
17.8 × 1.4571 = 25.9 tce. The gas bills give 35.6 MJ/m³, less than the
38.9 MJ/m³ behind the default coefficient, so the gas row gives its own:
35,600 / 29,307.6 = 1.2147 kgce/m³ (12.147 tce per 10⁴ m³), 12 × 10⁴ m³ =
145.8 tce, and its own CO2 factor, 356 GJ × 56.1 t/TJ = 19.97 t per 10⁴ m³.
In all 790.0 tce, 395 kgce per t of DX-2: the value the benchmark sheet rates
against the indicator system (level II). The CO2: 992.7 t for the electricity
(0.5366 t/MWh, the 2022 national factor), 1,258.3 t for the steam, 239.6 t for
the gas and 56.7 t for the diesel, 2,547.4 t in all, 1.27 t per t of product.

The waste streams (the EPA waste-stream worksheets, ``2 Waste streams``) say
what getting rid of each costs. By mass the 2,760 t of wastewater lead; by
cost the 152 t of distillation residue (HW06), incinerated by a licensed
contractor at 4,200 CNY/t, is 638,400 of the 826,980 CNY a year, 77 %. The
off-gas adsorber's spent activated carbon (18 t, HW49 900-039-49, regenerated
by a contractor at 3,800 CNY/t), the wastewater treatment sludge (85 t,
identified as not hazardous, incinerated at 600 CNY/t), the wastewater itself
(treated on site and in the park's plant at 18 CNY/t) and the toluene drums
(6.5 t, HW49 900-041-49) follow; the raw-material bags are sold for recycling
and the dryer dust leaves with the dryer's air, so neither costs a fee: the
dust's cost is the product it carries, which option F6 recovers. Each stream
arises in a candidate area of the audit focus, the sludge excepted (it arises
in the wastewater plant): solvent recovery's wastes cost 688,080 CNY a year,
the synthesis workshop's 87,900, which is what its environmental-cost ratings
(9 and 8) say.

The history (2023–2025, the audit period last): output grew from 1,720 t to
2,000 t while the toluene make-up fell from 193 t to 148 t, as distillation
recovered more of it (86.5 % to 89.9 %): 112 kg of toluene per tonne of product
became 74 kg, and the toluene in the off-gas fell from 8.0 to 4.75 kg/t. Water,
energy and COD per tonne fell a little. The latest year's numbers are those of
the products, consumption and pollutants tables.

The facilities: the wastewater treatment plant takes 9.2 m³/d (2,760 m³ over
300 days) of its design 15 m³/d and cuts COD from 15,000 to 1,500 mg/L, the 90 %
of the pollutants table; the condenser and activated-carbon unit removes 90 % of
the toluene (275 to 27.5 mg/m³: 9,500 kg to 950 kg in 4,800 m³/h over 7,200
hours, 35 million m³) at 96 % of its design 5,000 m³/h, near its limit; the
hazardous-waste store holds at most 19 t of distillation residue of its 30 t.

Text is given in English and Chinese; :func:`example_data` picks one language.
"""

from __future__ import annotations

from typing import Any

__all__ = ["example_data"]


def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


REACTOR, CRYST, CENTRI, DRYER, RECOVERY = (
    _t("Reactor", "反应釜"),
    _t("Crystalliser", "结晶器"),
    _t("Centrifuge", "离心机"),
    _t("Dryer", "干燥机"),
    _t("Solvent recovery", "溶剂回收"),
)

_EXAMPLE: dict[str, Any] = {
    "schema_version": 3,
    "fields": {
        "company": _t("Jiangnan Fine Chemicals Co., Ltd. (example)", "江南精细化工有限公司（示例）"),
        "industry": _t("Dye intermediates", "染料中间体"),
        "location": _t("Changzhou, Jiangsu", "江苏常州"),
        "audit_period": "2025-01 – 2025-12",
        "employees": 186,
        "description": _t(
            "2,000 t/yr of intermediate DX-2 in four steps with toluene as solvent, recovered by distillation.",
            "年产中间体 DX-2 2000 吨，四步合成，以甲苯为溶剂并精馏回收。",
        ),
        "mass_unit": "t",
        "currency": "CNY",
        "discount_rate": 0.08,
        "tax_rate": 0.25,
        "closure_tolerance": 0.05,
        "budget": 1500000,
        "year_1": 2023,
        "year_2": 2024,
        "year_3": 2025,
        "low_running_rate": 0.5,
    },
    "weights": {"focus": [10, 8, 8, 8, 5, 2], "options": [8, 10, 8, 5, 5]},
    "tables": {
        "team": [
            {
                "name": _t("Wang Jian", "王健"),
                "role": _t("Team leader", "组长"),
                "department": _t("Management", "总经理室"),
                "title": _t("Deputy GM", "副总经理"),
                "specialty": _t("Chemical engineering", "化学工程"),
                "duties": _t("Leads the audit, approves options", "组织审核，审批方案"),
                "time": "20%",
            },
            {
                "name": _t("Li Na", "李娜"),
                "role": _t("Deputy leader", "副组长"),
                "department": _t("EHS", "安环部"),
                "title": _t("EHS manager", "安环经理"),
                "specialty": _t("Environmental engineering", "环境工程"),
                "duties": _t("Balances, pollutant data, report", "物料平衡、污染物数据、报告"),
                "time": "60%",
            },
            {
                "name": _t("Zhang Wei", "张伟"),
                "role": _t("Member", "成员"),
                "department": _t("Production", "生产部"),
                "title": _t("Workshop head", "车间主任"),
                "specialty": _t("Process", "工艺"),
                "duties": _t("Measurements, no/low-cost options", "现场测量、无低费方案"),
                "time": "40%",
            },
            {
                "name": _t("Chen Jing", "陈静"),
                "role": _t("Member", "成员"),
                "department": _t("Technology", "技术部"),
                "title": _t("Process engineer", "工艺工程师"),
                "specialty": _t("Organic synthesis", "有机合成"),
                "duties": _t("Yields, technology options", "收率分析、技术方案"),
                "time": "40%",
            },
            {
                "name": _t("Zhao Lei", "赵磊"),
                "role": _t("Member", "成员"),
                "department": _t("Equipment", "设备部"),
                "title": _t("Engineer", "工程师"),
                "specialty": _t("Equipment", "设备"),
                "duties": _t("Equipment options, metering", "设备方案、计量器具"),
                "time": "30%",
            },
            {
                "name": _t("Sun Li", "孙丽"),
                "role": _t("Member", "成员"),
                "department": _t("Finance", "财务部"),
                "title": _t("Accountant", "会计师"),
                "specialty": _t("Finance", "财务"),
                "duties": _t("Economic evaluation", "经济评估"),
                "time": "20%",
            },
        ],
        "plan": [
            {
                "stage": "planning",
                "task": _t("Set up the team, training", "成立审核小组，宣传培训"),
                "start": "2025-01-06",
                "end": "2025-01-24",
                "owner": _t("Wang Jian", "王健"),
                "output": _t("Team list, work plan", "小组名单、工作计划"),
            },
            {
                "stage": "pre_assessment",
                "task": _t("Status survey, audit focus, targets", "现状调研、确定审核重点、设置目标"),
                "start": "2025-02-03",
                "end": "2025-03-14",
                "owner": _t("Li Na", "李娜"),
                "output": _t("Focus and targets", "审核重点与目标"),
            },
            {
                "stage": "assessment",
                "task": _t("Measurements, material and water balances", "实测输入输出，物料与水平衡"),
                "start": "2025-03-17",
                "end": "2025-05-16",
                "owner": _t("Zhang Wei", "张伟"),
                "output": _t("Balances, causes of waste", "平衡图表、废物产生原因"),
            },
            {
                "stage": "options",
                "task": _t("Generate and screen options", "方案产生与筛选"),
                "start": "2025-05-19",
                "end": "2025-06-27",
                "owner": _t("Chen Jing", "陈静"),
                "output": _t("Option register, mid-term report", "方案汇总表、中期报告"),
            },
            {
                "stage": "feasibility",
                "task": _t("Technical, environmental, economic evaluation", "技术、环境、经济评估"),
                "start": "2025-06-30",
                "end": "2025-08-15",
                "owner": _t("Sun Li", "孙丽"),
                "output": _t("Feasibility report", "可行性分析报告"),
            },
            {
                "stage": "implementation",
                "task": _t("Implement and verify options", "方案实施与效果验证"),
                "start": "2025-08-18",
                "end": "2025-11-28",
                "owner": _t("Zhao Lei", "赵磊"),
                "output": _t("Achieved savings", "实施效果汇总"),
            },
            {
                "stage": "continuous",
                "task": _t("Continuing plan, final report", "持续清洁生产计划、审核报告"),
                "start": "2025-12-01",
                "end": "2025-12-19",
                "owner": _t("Li Na", "李娜"),
                "output": _t("Final report", "审核报告"),
            },
        ],
        "products": [
            {"name": _t("Intermediate DX-2", "中间体 DX-2"), "unit": "t", "output": 2000, "main": True},
            {"name": _t("Sodium sulfate (by-product)", "硫酸钠（副产品）"), "unit": "t", "output": 310, "main": False},
        ],
        "consumption": [
            {"name": _t("Raw material A", "原料 A"), "category": "raw_material", "unit": "t", "amount": 1500},
            {"name": _t("Raw material B", "原料 B"), "category": "raw_material", "unit": "t", "amount": 905},
            {"name": _t("Toluene (make-up)", "甲苯（补充）"), "category": "auxiliary", "unit": "t", "amount": 148},
            {"name": _t("Process water", "工艺用水"), "category": "water", "unit": "m3", "amount": 3030},
            {"name": _t("Electricity", "电"), "category": "energy", "unit": "MWh", "amount": 1850},
            {"name": _t("Steam", "蒸汽"), "category": "energy", "unit": "t", "amount": 3040},
            {"name": _t("Natural gas", "天然气"), "category": "energy", "unit": "10^4 m3", "amount": 12},
            {"name": _t("Diesel", "柴油"), "category": "energy", "unit": "t", "amount": 17.8},
        ],
        "energy": [
            {
                "name": _t("Grid electricity, all workshops", "外购电力（全厂）"),
                "carrier": "electricity",
                "amount": 1850,
            },
            {
                "name": _t("Steam from the park's cogeneration plant", "园区热电厂蒸汽"),
                "carrier": "steam",
                "amount": 3040,
            },
            {
                "name": _t("Natural gas, dryer furnace (35.6 MJ/m³)", "天然气（干燥热风炉，35.6 MJ/m³）"),
                "carrier": "natural_gas",
                "amount": 12,
                "coefficient": 12.147,
                "co2_factor": 19.97,
            },
            {"name": _t("Diesel for the forklifts", "叉车柴油"), "carrier": "diesel", "amount": 17.8},
        ],
        "pollutants": [
            {
                "name": _t("Process wastewater", "工艺废水"),
                "medium": "wastewater",
                "unit": "t",
                "generated": 2760,
                "discharged": 2760,
            },
            {
                "name": _t("COD", "化学需氧量 COD"),
                "medium": "wastewater",
                "unit": "kg",
                "generated": 41400,
                "discharged": 4140,
            },
            {
                "name": _t("Toluene (VOC)", "甲苯（VOCs）"),
                "medium": "waste_gas",
                "unit": "kg",
                "generated": 9500,
                "discharged": 950,
            },
            {
                "name": _t("Reactor off-gas", "反应尾气"),
                "medium": "waste_gas",
                "unit": "t",
                "generated": 100,
                "discharged": 100,
            },
            {
                "name": _t("Distillation residue", "精馏残渣"),
                "medium": "solid_waste",
                "unit": "t",
                "generated": 152,
                "discharged": 0,
            },
            {
                "name": _t("Dryer dust", "干燥粉尘"),
                "medium": "solid_waste",
                "unit": "t",
                "generated": 20,
                "discharged": 20,
            },
        ],
        "wastes": [
            {
                "name": _t("Distillation residue", "精馏残渣"),
                "origin": _t("Solvent recovery", "溶剂回收工段"),
                "quantity": 152,
                "hazard": "HW06",
                "route": "incinerated",
                "unit_cost": 4200,
            },
            {
                "name": _t("Process wastewater", "工艺废水"),
                "origin": _t("Solvent recovery", "溶剂回收工段"),
                "quantity": 2760,
                "hazard": None,
                "route": "treated_on_site",
                "unit_cost": 18,
            },
            {
                "name": _t("Spent activated carbon (off-gas adsorber)", "废活性炭（尾气吸附）"),
                "origin": _t("Synthesis workshop", "合成车间"),
                "quantity": 18,
                "hazard": "HW49 900-039-49",
                "route": "contractor",
                "unit_cost": 3800,
            },
            {
                "name": _t("Wastewater treatment sludge", "污水处理污泥"),
                "origin": _t("Wastewater treatment plant", "污水处理站"),
                "quantity": 85,
                "hazard": None,
                "route": "incinerated",
                "unit_cost": 600,
            },
            {
                "name": _t("Empty toluene drums", "废甲苯包装桶"),
                "origin": _t("Synthesis workshop", "合成车间"),
                "quantity": 6.5,
                "hazard": "HW49 900-041-49",
                "route": "contractor",
                "unit_cost": 3000,
            },
            {
                "name": _t("Raw-material bags", "原料包装袋"),
                "origin": _t("Synthesis workshop", "合成车间"),
                "quantity": 12,
                "hazard": None,
                "route": "recycled",
                "unit_cost": 0,
            },
            {
                "name": _t("Dryer dust", "干燥粉尘"),
                "origin": _t("Crystallisation & drying", "结晶干燥工段"),
                "quantity": 20,
                "hazard": None,
                "route": "discharged",
                "unit_cost": 0,
            },
        ],
        "history": [
            {
                "name": _t("Intermediate DX-2", "中间体 DX-2"),
                "category": "product",
                "unit": "t",
                "main": True,
                "year_1": 1720,
                "year_2": 1850,
                "year_3": 2000,
            },
            {
                "name": _t("Sodium sulfate (by-product)", "硫酸钠（副产品）"),
                "category": "product",
                "unit": "t",
                "year_1": 268,
                "year_2": 287,
                "year_3": 310,
            },
            {
                "name": _t("Toluene (make-up)", "甲苯（补充）"),
                "category": "auxiliary",
                "unit": "t",
                "year_1": 193,
                "year_2": 170,
                "year_3": 148,
            },
            {
                "name": _t("Process water", "工艺用水"),
                "category": "water",
                "unit": "m3",
                "year_1": 2890,
                "year_2": 2960,
                "year_3": 3030,
            },
            {
                "name": _t("Electricity", "电"),
                "category": "energy",
                "unit": "MWh",
                "year_1": 1690,
                "year_2": 1760,
                "year_3": 1850,
            },
            {
                "name": _t("Steam", "蒸汽"),
                "category": "energy",
                "unit": "t",
                "year_1": 2810,
                "year_2": 2912,
                "year_3": 3040,
            },
            {
                "name": _t("COD", "化学需氧量 COD"),
                "category": "wastewater",
                "unit": "kg",
                "year_1": 38700,
                "year_2": 40300,
                "year_3": 41400,
            },
            {
                "name": _t("Toluene (VOC)", "甲苯（VOCs）"),
                "category": "waste_gas",
                "unit": "kg",
                "year_1": 13800,
                "year_2": 11500,
                "year_3": 9500,
            },
            {
                "name": _t("Toluene recovered by distillation", "甲苯精馏回收率"),
                "category": "indicator",
                "unit": "%",
                "year_1": 86.5,
                "year_2": 88.6,
                "year_3": 89.9,
            },
        ],
        "facilities": [
            {
                "name": _t("Wastewater treatment plant", "废水处理站"),
                "medium": "wastewater",
                "pollutant": "COD",
                "capacity_unit": "m3/d",
                "design_capacity": 15,
                "throughput": 9.2,
                "concentration_unit": "mg/L",
                "inlet": 15000,
                "outlet": 1500,
                "operating_cost": 380000,
            },
            {
                "name": _t("VOC condenser and activated carbon", "冷凝+活性炭吸附装置"),
                "medium": "waste_gas",
                "pollutant": _t("Toluene", "甲苯"),
                "capacity_unit": "m3/h",
                "design_capacity": 5000,
                "throughput": 4800,
                "concentration_unit": "mg/m3",
                "inlet": 275,
                "outlet": 27.5,
                "operating_cost": 210000,
            },
            {
                "name": _t("Hazardous-waste store", "危险废物暂存库"),
                "medium": "solid_waste",
                "pollutant": _t("Distillation residue", "精馏残渣"),
                "capacity_unit": "t",
                "design_capacity": 30,
                "throughput": 19,
                "operating_cost": 60000,
            },
        ],
        "steps": [
            {"name": _t("Condensation", "缩合"), "yield": 0.92},
            {"name": _t("Sulfonation", "磺化"), "yield": 0.88},
            {"name": _t("Crystallisation", "结晶"), "yield": 0.95},
            {"name": _t("Drying", "干燥"), "yield": 0.99},
        ],
        "indicators": [
            {
                "name": _t("Fresh water per t product", "单位产品新鲜水耗"),
                "unit": "m3/t",
                "group": _t("Resources", "资源能源"),
                "group_weight": 0.4,
                "weight_in_group": 0.375,
                "lower_is_better": True,
                "level_1": 1.2,
                "level_2": 1.6,
                "level_3": 2.0,
                "value": 1.515,
                "limiting": False,
                "value_after": 1.36,
            },
            {
                "name": _t("Energy per t product", "单位产品综合能耗"),
                "unit": "kgce/t",
                "group": _t("Resources", "资源能源"),
                "group_weight": 0.4,
                "weight_in_group": 0.375,
                "lower_is_better": True,
                "level_1": 350,
                "level_2": 420,
                "level_3": 500,
                "value": 395,
                "limiting": True,
                "value_after": 392,
            },
            {
                "name": _t("Raw material A per t product", "单位产品原料 A 消耗"),
                "unit": "t/t",
                "group": _t("Resources", "资源能源"),
                "group_weight": 0.4,
                "weight_in_group": 0.25,
                "lower_is_better": True,
                "level_1": 0.72,
                "level_2": 0.76,
                "level_3": 0.80,
                "value": 0.75,
                "limiting": False,
                "value_after": 0.745,
            },
            {
                "name": _t("Solvent recovery rate", "溶剂回收率"),
                "unit": "",
                "group": _t("Recycling", "资源综合利用"),
                "group_weight": 0.25,
                "weight_in_group": 0.6,
                "lower_is_better": False,
                "level_1": 0.95,
                "level_2": 0.90,
                "level_3": 0.85,
                "value": 0.90,
                "limiting": False,
                "value_after": 0.92,
            },
            {
                "name": _t("Water reuse rate", "水重复利用率"),
                "unit": "",
                "group": _t("Recycling", "资源综合利用"),
                "group_weight": 0.25,
                "weight_in_group": 0.4,
                "lower_is_better": False,
                "level_1": 0.90,
                "level_2": 0.80,
                "level_3": 0.70,
                "value": 0.87,
                "limiting": False,
                "value_after": 0.88,
            },
            {
                "name": _t("COD generated per t product", "单位产品 COD 产生量"),
                "unit": "kg/t",
                "group": _t("Pollution", "污染物产生"),
                "group_weight": 0.25,
                "weight_in_group": 0.6,
                "lower_is_better": True,
                "level_1": 15,
                "level_2": 20,
                "level_3": 25,
                "value": 20.7,
                "limiting": True,
                "value_after": 19.2,
            },
            {
                "name": _t("Solid waste per t product", "单位产品固废产生量"),
                "unit": "t/t",
                "group": _t("Pollution", "污染物产生"),
                "group_weight": 0.25,
                "weight_in_group": 0.4,
                "lower_is_better": True,
                "level_1": 0.05,
                "level_2": 0.08,
                "level_3": 0.12,
                "value": 0.086,
                "limiting": False,
                "value_after": 0.078,
            },
            {
                "name": _t("CP management system in place", "清洁生产管理体系"),
                "unit": "1 = yes",
                "group": _t("Management", "清洁生产管理"),
                "group_weight": 0.1,
                "weight_in_group": 1.0,
                "lower_is_better": False,
                "level_1": 1,
                "level_2": 1,
                "level_3": 1,
                "value": 1,
                "limiting": False,
                "value_after": 1.0,
            },
        ],
        "focus": [
            {"name": _t("Synthesis workshop", "合成车间"), "ratings": [9, 9, 8, 9, 8, 7]},
            {"name": _t("Crystallisation & drying", "结晶干燥工段"), "ratings": [5, 6, 5, 4, 6, 8]},
            {"name": _t("Solvent recovery", "溶剂回收工段"), "ratings": [8, 7, 9, 8, 9, 8]},
            {"name": _t("Utilities (boiler, cooling)", "公用工程"), "ratings": [4, 8, 4, 2, 5, 6]},
        ],
        "targets": [
            {
                "name": _t("Fresh water per t product", "单位产品新鲜水耗"),
                "unit": "m3/t",
                "lower_is_better": True,
                "baseline": 1.515,
                "near_term": 1.30,
                "long_term": 1.10,
                "achieved": 1.36,
            },
            {
                "name": _t("COD generated per t product", "单位产品 COD 产生量"),
                "unit": "kg/t",
                "lower_is_better": True,
                "baseline": 20.7,
                "near_term": 17.0,
                "long_term": 14.0,
                "achieved": 16.2,
            },
            {
                "name": _t("Toluene make-up", "甲苯补充量"),
                "unit": "t/yr",
                "lower_is_better": True,
                "baseline": 148,
                "near_term": 110,
                "long_term": 80,
                "achieved": 104,
            },
            {
                "name": _t("Solvent recovery rate", "溶剂回收率"),
                "unit": "",
                "lower_is_better": False,
                "baseline": 0.90,
                "near_term": 0.93,
                "long_term": 0.95,
                "achieved": 0.92,
            },
        ],
        "components": [{"name": _t("Toluene", "甲苯"), "unit": "percent"}],
        "streams": [
            {
                "name": _t("Raw material A", "原料 A"),
                "source": None,
                "target": REACTOR,
                "measured": 1500,
                "sigma": 15,
                "content_1": 0,
                "content_sigma_1": 0,
            },
            {
                "name": _t("Raw material B", "原料 B"),
                "source": None,
                "target": REACTOR,
                "measured": 905,
                "sigma": 9,
                "content_1": 0,
                "content_sigma_1": 0,
            },
            {
                "name": _t("Fresh toluene", "新鲜甲苯"),
                "source": None,
                "target": REACTOR,
                "measured": 148,
                "sigma": 3,
                "content_1": 99.5,
                "content_sigma_1": 0.2,
            },
            {
                "name": _t("Process water", "工艺水"),
                "source": None,
                "target": REACTOR,
                "measured": 3030,
                "sigma": 60,
                "content_1": 0,
                "content_sigma_1": 0,
            },
            {
                "name": _t("Recovered toluene", "回收甲苯"),
                "source": RECOVERY,
                "target": REACTOR,
                "measured": 1340,
                "sigma": 27,
                "content_1": 98.0,
                "content_sigma_1": 0.5,
            },
            {
                "name": _t("Reaction mass", "反应料液"),
                "source": REACTOR,
                "target": CRYST,
                "measured": 6750,
                "sigma": 135,
                "content_1": 21.5,
                "content_sigma_1": 0.8,
            },
            {"name": _t("Off-gas", "反应尾气"), "source": REACTOR, "target": None, "measured": None, "sigma": None},
            {
                "name": _t("Slurry", "结晶料浆"),
                "source": CRYST,
                "target": CENTRI,
                "measured": 6790,
                "sigma": 136,
                "content_1": 20.8,
                "content_sigma_1": 0.8,
            },
            {
                "name": _t("Wet cake", "湿滤饼"),
                "source": CENTRI,
                "target": DRYER,
                "measured": 2480,
                "sigma": 50,
                "content_1": 2.5,
                "content_sigma_1": 0.2,
            },
            {
                "name": _t("Mother liquor", "母液"),
                "source": CENTRI,
                "target": RECOVERY,
                "measured": 4350,
                "sigma": 87,
                "content_1": 31.5,
                "content_sigma_1": 1.2,
            },
            {
                "name": _t("Product DX-2", "产品 DX-2"),
                "source": DRYER,
                "target": None,
                "measured": 2000,
                "sigma": 10,
                "content_1": 0.05,
                "content_sigma_1": 0.01,
            },
            {
                "name": _t("Dryer vapour", "干燥蒸汽"),
                "source": DRYER,
                "target": None,
                "measured": 470,
                "sigma": 24,
                "content_1": 12.8,
                "content_sigma_1": 1.0,
            },
            {"name": _t("Dryer dust", "干燥粉尘"), "source": DRYER, "target": None, "measured": None, "sigma": None},
            {
                "name": _t("Wastewater", "废水"),
                "source": RECOVERY,
                "target": None,
                "measured": 2760,
                "sigma": 83,
                "content_1": 0.05,
                "content_sigma_1": 0.01,
            },
            {
                "name": _t("Distillation residue", "精馏残渣"),
                "source": RECOVERY,
                "target": None,
                "measured": 152,
                "sigma": 8,
                "content_1": 36.0,
                "content_sigma_1": 3.0,
            },
        ],
        "units": [
            {"name": REACTOR, "stock_change": None},
            {"name": CRYST, "stock_change": None},
            {"name": CENTRI, "stock_change": None},
            {"name": DRYER, "stock_change": None},
            {"name": RECOVERY, "stock_change": None},
        ],
        "water": [
            {"name": _t("Reaction (process water)", "反应工艺用水"), "fresh": 3030, "reused": 0, "wastewater": 2760},
            {"name": _t("Cooling tower", "循环冷却水"), "fresh": 1800, "reused": 42000, "wastewater": 200},
            {"name": _t("Vacuum pumps", "真空泵"), "fresh": 600, "reused": 1800, "wastewater": 550},
            {"name": _t("Equipment cleaning", "设备清洗"), "fresh": 900, "reused": 300, "wastewater": 820},
        ],
        "causes": [
            {
                "waste": _t("Toluene losses", "甲苯损耗"),
                "aspect": "equipment",
                "cause": _t(
                    "Condenser of the recovery column undersized; vent losses in summer",
                    "回收塔冷凝器能力不足，夏季放空损失大",
                ),
            },
            {
                "waste": _t("Toluene losses", "甲苯损耗"),
                "aspect": "process_control",
                "cause": _t("No temperature alarm on the condenser outlet", "冷凝器出口无温度报警"),
            },
            {
                "waste": _t("COD in wastewater", "废水 COD"),
                "aspect": "technology",
                "cause": _t("Mother liquor distilled, not recycled to crystallisation", "母液直接精馏，未回用于结晶"),
            },
            {
                "waste": _t("COD in wastewater", "废水 COD"),
                "aspect": "materials_energy",
                "cause": _t("Raw material B charged 5 % above stoichiometry", "原料 B 投料过量 5%"),
            },
            {
                "waste": _t("Dryer dust", "干燥粉尘"),
                "aspect": "equipment",
                "cause": _t("Cyclone only; no bag filter", "仅设旋风分离，无布袋除尘"),
            },
            {
                "waste": _t("Fresh water use", "新鲜水消耗"),
                "aspect": "waste",
                "cause": _t("Vacuum-pump seal water sent to drain", "真空泵密封水直排"),
            },
            {
                "waste": _t("Off-spec batches", "不合格批次"),
                "aspect": "employees",
                "cause": _t("Batch records filled in after the shift", "批记录事后补填"),
            },
            {
                "waste": _t("Leaks at pump seals", "泵密封泄漏"),
                "aspect": "management",
                "cause": _t("No preventive maintenance plan", "无预防性维护计划"),
            },
            {
                "waste": _t("Product losses", "产品损失"),
                "aspect": "product",
                "cause": _t("Fines below 50 µm lost to the dust", "50 µm 以下细粉随粉尘损失"),
            },
        ],
        "options": [
            {
                "id": "F1",
                "name": _t("Charge raw material B by weight, not volume", "原料 B 改为称重投料"),
                "aspect": "process_control",
                "cost_class": "no_low",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 20000,
                "saving": 60000,
                "life": 5,
                "pollutant": _t("COD", "COD"),
                "before": 41400,
                "after": 39000,
                "status": "done",
                "achieved_saving": 64000,
                "actual_investment": 22000,
                "completed": "2025-03-15",
                "measured_before": 41400,
                "measured_after": 39500,
                "ratings": [9, 6, 9, 9, 8],
            },
            {
                "id": "F2",
                "name": _t("Larger condenser on the recovery column", "扩容回收塔冷凝器"),
                "aspect": "equipment",
                "cost_class": "medium_high",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 850000,
                "saving": 420000,
                "life": 10,
                "pollutant": _t("Toluene (VOC)", "甲苯（VOCs）"),
                "before": 9500,
                "after": 3800,
                "status": "planned",
                "achieved_saving": None,
                "invest_equipment": 620000,
                "invest_construction": 150000,
                "invest_design": 50000,
                "invest_working_capital": 30000,
                "benefit_raw_materials": 380000,
                "benefit_energy": -10000,
                "benefit_disposal": 70000,
                "benefit_maintenance": -20000,
                "energy_saving": -12,
                "co2_reduction": -30,
                "exclusive_group": "solvent",
                "ratings": [8, 9, 8, 6, 7],
            },
            {
                "id": "F3",
                "name": _t("Recycle mother liquor to crystallisation", "母液回用于结晶"),
                "aspect": "technology",
                "cost_class": "medium_high",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 1200000,
                "saving": 380000,
                "life": 10,
                "pollutant": _t("COD", "COD"),
                "before": 41400,
                "after": 30000,
                "status": "planned",
                "achieved_saving": None,
                "invest_equipment": 800000,
                "invest_construction": 350000,
                "invest_design": 150000,
                "invest_working_capital": 100000,
                "subsidy": 200000,
                "benefit_raw_materials": 300000,
                "benefit_energy": 60000,
                "benefit_disposal": 120000,
                "benefit_labour": -40000,
                "benefit_maintenance": -60000,
                "energy_saving": 120,
                "co2_reduction": 300,
                "ratings": [7, 9, 7, 5, 6],
            },
            {
                "id": "F4",
                "name": _t("Reuse vacuum-pump seal water", "真空泵密封水回用"),
                "aspect": "waste",
                "cost_class": "no_low",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 45000,
                "saving": 36000,
                "life": 8,
                "pollutant": _t("Fresh water", "新鲜水"),
                "before": 600,
                "after": 150,
                "status": "done",
                "achieved_saving": 33000,
                "requires": "F8",
                "actual_investment": 52000,
                "completed": "2025-06-30",
                "measured_before": 600,
                "measured_after": 170,
                "ratings": [9, 7, 8, 9, 9],
            },
            {
                "id": "F5",
                "name": _t("Train operators on batch records", "批记录操作培训"),
                "aspect": "employees",
                "cost_class": "no_low",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 8000,
                "saving": 15000,
                "life": 3,
                "pollutant": None,
                "before": None,
                "after": None,
                "status": "done",
                "achieved_saving": 18000,
                "actual_investment": 8000,
                "completed": "2025-02-28",
                "ratings": [10, 5, 8, 10, 7],
            },
            {
                "id": "F6",
                "name": _t("Bag filter after the dryer cyclone", "干燥旋风后加布袋除尘"),
                "aspect": "equipment",
                "cost_class": "medium_high",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 160000,
                "saving": 52000,
                "life": 10,
                "pollutant": _t("Dryer dust", "干燥粉尘"),
                "before": 20,
                "after": 2,
                "status": "in_progress",
                "achieved_saving": None,
                "ratings": [9, 8, 6, 8, 7],
            },
            {
                "id": "F7",
                "name": _t("Water-based process instead of toluene", "以水相工艺替代甲苯"),
                "aspect": "technology",
                "cost_class": "medium_high",
                "technical_ok": False,
                "environmental_ok": True,
                "economic_ok": False,
                "investment": None,
                "saving": None,
                "life": None,
                "pollutant": None,
                "before": None,
                "after": None,
                "status": None,
                "achieved_saving": None,
                "exclusive_group": "solvent",
                "ratings": [3, 10, 2, 2, 3],
            },
            {
                "id": "F8",
                "name": _t("Preventive maintenance of pump seals", "泵密封预防性维护"),
                "aspect": "management",
                "cost_class": "no_low",
                "technical_ok": True,
                "environmental_ok": True,
                "economic_ok": True,
                "investment": 30000,
                "saving": 25000,
                "life": 5,
                "pollutant": None,
                "before": None,
                "after": None,
                "status": "in_progress",
                "achieved_saving": None,
                "energy_saving": 5,
                "co2_reduction": 13,
                "ratings": [9, 6, 7, 8, 8],
            },
        ],
        "continuing": [
            {
                "action": _t("Monthly balance of the solvent loop", "溶剂回路每月物料衡算"),
                "owner": _t("Li Na", "李娜"),
                "due": "monthly",
                "notes": _t("Closure beyond 5 % triggers a check", "闭合差超过 5% 即排查"),
            },
            {
                "action": _t("Implement F2 and F3 in the 2026 budget", "2026 年预算实施 F2、F3"),
                "owner": _t("Wang Jian", "王健"),
                "due": "2026-06-30",
                "notes": "",
            },
            {
                "action": _t("Add CP targets to workshop KPIs", "清洁生产目标纳入车间考核"),
                "owner": _t("Zhang Wei", "张伟"),
                "due": "2026-03-31",
                "notes": "",
            },
            {
                "action": _t("Next audit cycle", "启动下一轮审核"),
                "owner": _t("Li Na", "李娜"),
                "due": "2028-01",
                "notes": "",
            },
        ],
    },
}


def _pick(value: Any, lang: str) -> Any:
    if isinstance(value, dict) and set(value) == {"en", "zh"}:
        return value[lang]
    if isinstance(value, dict):
        return {k: _pick(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_pick(v, lang) for v in value]
    return value


def example_data(lang: str = "en") -> dict[str, Any]:
    """The example audit as plain data, its text in *lang* (``"en"`` or ``"zh"``).

    Examples
    --------
    >>> example_data("zh")["tables"]["units"][0]["name"]
    '反应釜'
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    return _pick(_EXAMPLE, lang)
