"""The one table of the worksheet functions: names, argument order, help in English and Chinese.

Everything that shows a ``CP_*`` function to a user is generated from :data:`CATALOG`: the classic
xlwings decorators in :mod:`cpxl.excel.udfs` (the Excel function wizard's description and argument help),
the ``main.py`` that ``cpxl lite`` prints for xlwings Lite, and ``cpxl functions``. Change help here and
nowhere else.

Each entry of :data:`CATALOG` is keyed by the worksheet name and holds

``twin``
    the name of the Python twin (``cpxl.<twin>``, or :mod:`cpxl.core.reconcile` for the balance functions);
``en``, ``zh``
    one line saying what the function returns;
``spill``
    ``None`` for a single value, ``"column"`` or ``"row"`` for a function that spills, ``"scores"`` for
    :func:`~cpxl.core.grading.grade`, which spills a row only when asked for the scores, ``"block"`` for
    :func:`~cpxl.core.components.reconcile_components`, which spills a column per stream or a block of
    streams × components;
``args``
    the arguments in worksheet order, each a dict with ``en``/``zh`` help (meaning and unit), ``optional``
    (the worksheet user may leave it out) and ``range`` (True: a cell range read as a 2-D array of cell
    values, blanks as NaN; False: a single value such as a formula or a selector, passed as typed).

Excel shows at most 255 characters of a function's description and of each argument's help; the bilingual
texts built by :func:`description` and :func:`argument_help` stay within that (a test checks every one).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CATALOG", "EXCEL_HELP_LIMIT", "LANGUAGES", "argument_help", "description", "names"]

#: Characters Excel's function wizard keeps of a description or an argument's help.
EXCEL_HELP_LIMIT = 255

#: Languages of the help texts.
LANGUAGES = ("en", "zh")


def _arg(en: str, zh: str, *, optional: bool = False, single: bool = False) -> dict[str, Any]:
    return {"en": en, "zh": zh, "optional": optional, "range": not single}


# Arguments that several functions share, written once.
_CASH_FLOWS = _arg(
    "One cash flow F (with years), or F_1..F_n year by year [currency/yr]",
    "一个年现金流量 F（配合 years），或逐年的 F_1..F_n [元/年]",
)
_YEARS = _arg("Number of years n when a single F is given [yr]", "只给一个 F 时的年数 n [年]", optional=True)

_ENERGY_AMOUNT = _arg(
    "Amount of each row in its carrier's unit: t (coal, coke, oils, LPG, steam), 10^4 m3 (natural gas), MWh "
    "(electricity), GJ (heat); blank = empty row [carrier unit]",
    "各行能源实物量，按品种单位：t（煤、焦炭、油品、液化石油气、蒸汽）、万 m³（天然气）、MWh（电力）、GJ（热力）；"
    "空白为空行 [品种单位]",
)
_ENERGY_CARRIER = _arg(
    'Carrier of each row as GB/T 2589 names it, English or Chinese: "raw coal"/"原煤", "diesel"/"柴油", '
    '"natural gas"/"天然气", "electricity"/"电力", "heat"/"热力", ... [-]',
    "各行能源品种，按 GB/T 2589 名称（中文或英文）：原煤、洗精煤、焦炭、原油、燃料油、汽油、煤油、柴油、液化石油气、"
    "天然气、电力、热力、蒸汽 [-]",
)

_RECONCILE_ARGS = {
    "source": _arg(
        "For each stream, the unit it leaves; blank = system boundary [unit name]",
        "每股物流的来源单元；空白表示系统边界 [单元名称]",
    ),
    "target": _arg(
        "For each stream, the unit it enters; blank = system boundary [unit name]",
        "每股物流的去向单元；空白表示系统边界 [单元名称]",
    ),
    "measured": _arg(
        "Measured flow of each stream, >= 0; blank = not measured [kg/period]",
        "每股物流的实测流量，≥ 0；空白表示未测 [kg/周期]",
    ),
    "sigma": _arg(
        "Standard uncertainty of each measured flow; 0 = exact; blank = 5 % of the flow [kg/period]",
        "各实测流量的标准不确定度；0 表示精确；空白取流量的 5 % [kg/周期]",
        optional=True,
    ),
}

CATALOG: dict[str, dict[str, Any]] = {
    "CP_ELF": {
        "twin": "elf",
        "en": "Environmental load factor ELF = (sum of raw materials - product) / product.",
        "zh": "环境负荷因子 ELF = (原辅材料总量 − 产品) / 产品。",
        "spill": None,
        "args": {
            "raw_materials": _arg(
                "Fresh raw materials fed: a number or a range, summed, blanks ignored [kg]",
                "投入的新鲜原辅材料：数值或区域，求和，忽略空白 [kg]",
            ),
            "product": _arg("Product sold, > 0 [kg]", "产品量，> 0 [kg]"),
        },
    },
    "CP_EFACTOR": {
        "twin": "efactor",
        "en": "Sheldon's E-factor = sum of waste / product.",
        "zh": "E 因子 = 废物总量 / 产品。",
        "spill": None,
        "args": {
            "waste": _arg("Waste streams, summed, blanks ignored [kg]", "各废物量，求和，忽略空白 [kg]"),
            "product": _arg("Product, > 0 [kg]", "产品量，> 0 [kg]"),
        },
    },
    "CP_PMI": {
        "twin": "pmi",
        "en": "Process mass intensity PMI = sum of all inputs (water and solvents included) / product.",
        "zh": "过程质量强度 PMI = 全部投入（含水和溶剂）/ 产品。",
        "spill": None,
        "args": {
            "inputs": _arg(
                "All materials fed, water and solvents included, summed [kg]",
                "全部投入物料（含水和溶剂），求和 [kg]",
            ),
            "product": _arg("Product, > 0 [kg]", "产品量，> 0 [kg]"),
        },
    },
    "CP_RME": {
        "twin": "rme",
        "en": "Reaction mass efficiency RME = product / sum of reactants (a fraction).",
        "zh": "反应质量效率 RME = 产品 / 反应物总量（分数）。",
        "spill": None,
        "args": {
            "product": _arg("Isolated product [kg]", "分离得到的产品量 [kg]"),
            "reactants": _arg("Reactants charged, summed, blanks ignored [kg]", "投入的反应物，求和，忽略空白 [kg]"),
        },
    },
    "CP_MW": {
        "twin": "mw",
        "en": "Molar mass of a chemical formula such as CH3Cl, Ca(OH)2 or CuSO4·5H2O [g/mol].",
        "zh": "化学式的摩尔质量，如 CH3Cl、Ca(OH)2、CuSO4·5H2O [g/mol]。",
        "spill": None,
        "args": {
            "formula": _arg(
                "Chemical formula as text; hydrates with · * or . ; isotopes in brackets [2H]2O [-]",
                "化学式文本；结晶水用 · * 或 . 连接；同位素写在方括号内，如 [2H]2O [-]",
                single=True,
            ),
        },
    },
    "CP_ATOM_ECONOMY": {
        "twin": "atom_economy",
        "en": "Atom economy = MW(product) / sum of coefficient x MW(reactant) (a fraction).",
        "zh": "原子经济性 = 产品摩尔质量 / Σ 系数 × 反应物摩尔质量（分数）。",
        "spill": None,
        "args": {
            "product": _arg(
                "Desired product: its formula (text) or molar mass [g/mol]",
                "目标产物：化学式（文本）或摩尔质量 [g/mol]",
                single=True,
            ),
            "reactants": _arg(
                "Reactants: formulas or molar masses, one per cell; blanks ignored [g/mol]",
                "反应物：化学式或摩尔质量，每格一个；忽略空白 [g/mol]",
            ),
            "coefficients": _arg(
                "Stoichiometric coefficient of each reactant; default 1 [-]",
                "各反应物的化学计量系数；默认 1 [-]",
                optional=True,
            ),
        },
    },
    "CP_OVERALL_YIELD": {
        "twin": "overall_yield",
        "en": "Overall yield of a route: product of the step yields, or along the longest linear sequence.",
        "zh": "路线总收率：各步收率之积，或沿最长线性序列计算（汇聚路线）。",
        "spill": None,
        "args": {
            "yields": _arg(
                "Yield of each step as a fraction in (0, 1]; 90 % is 0.9 [-]",
                "各步收率，分数，取值 (0, 1]；90 % 写作 0.9 [-]",
            ),
            "feeds_into": _arg(
                "For each step, the number of the step its product feeds; blank for the last step [-]",
                "各步产物进入的步骤编号；最后一步留空 [-]",
                optional=True,
            ),
        },
    },
    "CP_REDUCTION": {
        "twin": "reduction",
        "en": "Reduction rate = (before - after) / before (a fraction; negative when it grew).",
        "zh": "削减率 = (实施前 − 实施后) / 实施前（分数；增加时为负）。",
        "spill": None,
        "args": {
            "before": _arg("Quantity before, summed, > 0 [any unit]", "实施前的量，求和，> 0 [任意单位]"),
            "after": _arg("Quantity after, summed, same unit [any unit]", "实施后的量，求和，同一单位 [任意单位]"),
        },
    },
    "CP_REUSE_RATE": {
        "twin": "reuse_rate",
        "en": "Reuse rate = reused / (fresh + reused) (a fraction).",
        "zh": "重复利用率 = 重复利用量 / (新鲜水量 + 重复利用量)（分数）。",
        "spill": None,
        "args": {
            "fresh": _arg("Fresh intake, summed [m3]", "新鲜取水量，求和 [m³]"),
            "reused": _arg("Reused or recirculated volume, summed [m3]", "重复利用（循环、串用）量，求和 [m³]"),
        },
    },
    "CP_BALANCE_CLOSURE": {
        "twin": "balance_closure",
        "en": "Balance closure = (sum in - sum out - stock change) / sum in (signed fraction).",
        "zh": "物料平衡相对误差 = (输入 − 输出 − 库存变化) / 输入（带符号分数）。",
        "spill": None,
        "args": {
            "inputs": _arg("Input streams, summed, > 0 [kg]", "输入物流，求和，> 0 [kg]"),
            "outputs": _arg("Output streams, summed [kg]", "输出物流，求和 [kg]"),
            "stock_change": _arg(
                "Accumulation over the period; may be negative; default 0 [kg]",
                "周期内的库存变化；可为负；默认 0 [kg]",
                optional=True,
            ),
        },
    },
    "CP_RECONCILE": {
        "twin": "reconcile",
        "en": "Data reconciliation of a material balance; spills one row per stream (output: value, sigma, z, status).",
        "zh": "物料平衡数据校正；每股物流一行溢出（output：value、sigma、z、status）。",
        "spill": "column",
        "args": {
            **_RECONCILE_ARGS,
            "output": _arg(
                '"value" (default) reconciled flow, "sigma" its uncertainty, "z" normalised adjustment, "status"',
                '"value"（默认）校正流量，"sigma" 不确定度，"z" 标准化调整量，"status" 分类',
                optional=True,
                single=True,
            ),
        },
    },
    "CP_BALANCE_TEST": {
        "twin": "balance_test",
        "en": "Global test of a material balance; spills a row: chi2, degrees of freedom, p, critical value, passed.",
        "zh": "物料平衡整体检验；溢出一行：χ²、自由度、p 值、临界值、是否通过。",
        "spill": "row",
        "args": {
            **_RECONCILE_ARGS,
            "alpha": _arg("Significance level; default 0.05 [-]", "显著性水平；默认 0.05 [-]", optional=True),
        },
    },
    "CP_CASH_FLOW": {
        "twin": "cash_flow",
        "en": "Annual after-tax cash flow F = (P - D)(1 - t) + D, D = I / Y, no negative tax.",
        "zh": "年净现金流量 F = (P − D)(1 − t) + D，D = I / Y，亏损不计负税。",
        "spill": None,
        "args": {
            "saving": _arg("Annual net saving P, summed [currency/yr]", "年净节约（增收加降本）P，求和 [元/年]"),
            "investment": _arg("Investment I net of subsidies [currency]", "总投资 I（扣除补贴）[元]"),
            "life": _arg("Depreciation life Y, > 0 [yr]", "折旧年限 Y，> 0 [年]"),
            "tax_rate": _arg(
                "Income-tax rate t in [0, 1); 25 % is 0.25; default 0 [-]",
                "所得税率 t，取值 [0, 1)；25 % 写作 0.25；默认 0 [-]",
                optional=True,
            ),
        },
    },
    "CP_NPV": {
        "twin": "npv",
        "en": "Net present value NPV = -I + sum of F_j / (1 + i)^j; investment at time 0.",
        "zh": "净现值 NPV = −I + Σ F_j / (1 + i)^j；投资发生在第 0 年。",
        "spill": None,
        "args": {
            "rate": _arg("Discount rate i as a fraction; 8 % is 0.08 [1/yr]", "贴现率 i，分数；8 % 写作 0.08 [1/年]"),
            "investment": _arg("Investment I at time 0 [currency]", "第 0 年的投资 I [元]"),
            "cash_flows": _CASH_FLOWS,
            "years": _YEARS,
        },
    },
    "CP_NPVR": {
        "twin": "npvr",
        "en": "Net present value ratio NPVR = NPV / I.",
        "zh": "净现值率 NPVR = NPV / I。",
        "spill": None,
        "args": {
            "rate": _arg("Discount rate i as a fraction; 8 % is 0.08 [1/yr]", "贴现率 i，分数；8 % 写作 0.08 [1/年]"),
            "investment": _arg("Investment I at time 0, > 0 [currency]", "第 0 年的投资 I，> 0 [元]"),
            "cash_flows": _CASH_FLOWS,
            "years": _YEARS,
        },
    },
    "CP_IRR": {
        "twin": "irr",
        "en": "Internal rate of return: the exact rate at which NPV = 0 (a fraction per year).",
        "zh": "内部收益率：使 NPV = 0 的精确贴现率（每年分数）。",
        "spill": None,
        "args": {
            "investment": _arg("Investment I at time 0, > 0 [currency]", "第 0 年的投资 I，> 0 [元]"),
            "cash_flows": _CASH_FLOWS,
            "years": _YEARS,
        },
    },
    "CP_PAYBACK": {
        "twin": "payback",
        "en": "Payback period: years until the cumulative (discounted) cash flow repays I, interpolated [yr].",
        "zh": "投资偿还期：累计（贴现）现金流量收回投资所需年数，年内插值 [年]。",
        "spill": None,
        "args": {
            "investment": _arg("Investment I at time 0 [currency]", "第 0 年的投资 I [元]"),
            "cash_flows": _arg(
                "One cash flow F (for years, or for ever), or F_1..F_n year by year [currency/yr]",
                "一个年现金流量 F（持续 years 年或一直持续），或逐年的 F_1..F_n [元/年]",
            ),
            "years": _YEARS,
            "rate": _arg(
                "Discount rate for a discounted payback; omit for the simple payback [1/yr]",
                "贴现率，用于动态投资回收期；省略则为静态回收期 [1/年]",
                optional=True,
            ),
        },
    },
    "CP_WEIGHTED_SCORE": {
        "twin": "weighted_score",
        "en": "Weighted-sum score of each candidate, sum of W_j x R_kj; spills one value per row of ratings.",
        "zh": "权重总和计分：每个候选项 Σ W_j × R_kj；按评分表每行溢出一个值。",
        "spill": "column",
        "args": {
            "weights": _arg(
                "Factor weights W_j, >= 0, one per column of ratings (1-10) [-]",
                "各因素权重 W_j，≥ 0，与评分列一一对应（1–10）[-]",
            ),
            "ratings": _arg(
                "Ratings R_kj: one row per candidate, one column per factor (1-10) [-]",
                "评分 R_kj：每行一个候选项，每列一个因素（1–10）[-]",
            ),
        },
    },
    "CP_GRADE": {
        "twin": "grade",
        "en": 'Cleaner-production level (2013 method): 1, 2, 3, or 0 = not attained; "scores" spills Y_I..Y_III.',
        "zh": '按 2013 年评价指标体系方法定级：1、2、3 级或 0（未达到）；"scores" 溢出 Y_I..Y_III。',
        "spill": "scores",
        "args": {
            "values": _arg(
                "The plant's value of each indicator; blank = missing [indicator unit]",
                "企业各指标值；空白表示缺项 [指标单位]",
            ),
            "level_1": _arg(
                "Level I (international advanced) benchmark of each indicator [indicator unit]",
                "各指标 I 级基准值（国际先进）[指标单位]",
            ),
            "level_2": _arg(
                "Level II (domestic advanced) benchmark of each indicator [indicator unit]",
                "各指标 II 级基准值（国内先进）[指标单位]",
            ),
            "level_3": _arg(
                "Level III (domestic basic) benchmark of each indicator [indicator unit]",
                "各指标 III 级基准值（国内一般）[指标单位]",
            ),
            "lower_is_better": _arg(
                "TRUE where lower values are better, FALSE where higher are [-]",
                "指标越低越好填 TRUE，越高越好填 FALSE [-]",
            ),
            "weights": _arg(
                "Weight of each indicator in the composite, summing to 1 [-]", "各指标在综合评价中的权重，合计为 1 [-]"
            ),
            "groups": _arg(
                "First-level group of each indicator, to spread a missing value's weight [-]",
                "各指标所属一级指标，用于分摊缺项权重 [-]",
                optional=True,
            ),
            "limiting": _arg(
                "TRUE for limiting indicators; blank = FALSE [-]", "限定性指标填 TRUE；空白为 FALSE [-]", optional=True
            ),
            "output": _arg(
                '"grade" (default) for the level, "scores" to spill Y_I, Y_II, Y_III (0-100)',
                '"grade"（默认）返回等级，"scores" 溢出 Y_I、Y_II、Y_III（0–100）',
                optional=True,
                single=True,
            ),
        },
    },
    "CP_RECONCILE_COMPONENTS": {
        "twin": "reconcile_components",
        "en": "Flows and component mass fractions reconciled together (every unit balances in total and per "
        "component); spills per stream, or streams x components.",
        "zh": "流量与组分质量分数联合校正（各单元总量与各组分均平衡）；按物流或物流×组分溢出。",
        "spill": "block",
        "args": {
            "source": _RECONCILE_ARGS["source"],
            "target": _RECONCILE_ARGS["target"],
            "flow": _RECONCILE_ARGS["measured"],
            "flow_sigma": _arg(
                "Standard uncertainty of each measured flow; 0 = exact; blank = 5 % of the flow [kg/period]",
                "各实测流量的标准不确定度；0 表示精确；空白取流量的 5 % [kg/周期]",
            ),
            "fraction": _arg(
                "Mass fraction of each component in each stream: a row per stream, a column per component; "
                "blank = not measured; 1 mg/L in water is 1e-6 [kg/kg]",
                "各物流中各组分的质量分数：每股物流一行，每个组分一列；空白表示未测；水中 1 mg/L 即 1e-6 [kg/kg]",
            ),
            "fraction_sigma": _arg(
                "Standard uncertainty of each measured fraction, same shape; 0 = exact; blank = 5 % of it [kg/kg]",
                "各实测质量分数的标准不确定度，形状相同；0 表示精确；空白取分数的 5 % [kg/kg]",
            ),
            "output": _arg(
                '"value" (default), "sigma", "z", "status" per stream; "fraction", "component_flow" per stream '
                "and component",
                '"value"（默认）、"sigma"、"z"、"status" 按物流；"fraction"、"component_flow" 按物流和组分',
                optional=True,
                single=True,
            ),
        },
    },
    "CP_TCE": {
        "twin": "tce",
        "en": "Energy in tonnes of standard coal equivalent by the GB/T 2589 coefficient of each row's carrier; "
        "spills one value per row [tce].",
        "zh": "按 GB/T 2589 折标准煤参考系数计算各行能源的吨标准煤；每行溢出一个值 [tce]。",
        "spill": "column",
        "args": {
            "amount": _ENERGY_AMOUNT,
            "carrier": _ENERGY_CARRIER,
            "coefficient": _arg(
                "Coefficient of each row, overriding the table; blank = GB/T 2589's (electricity 0.1229, its "
                "calorific equivalent) [tce per unit]",
                "各行折标准煤系数，覆盖参考系数；空白取 GB/T 2589 参考系数（电力按当量值 0.1229）[tce/单位]",
                optional=True,
            ),
        },
    },
    "CP_CO2": {
        "twin": "co2",
        "en": "CO2 emitted by each row's energy, by documented default factors (fuels: IPCC 2006; electricity: "
        "national average 2022); spills one value per row [t].",
        "zh": "各行能源的 CO2 排放量，按注明来源的缺省因子（燃料：IPCC 2006；电力：2022 年全国平均）；"
        "每行溢出一个值 [t]。",
        "spill": "column",
        "args": {
            "amount": _ENERGY_AMOUNT,
            "carrier": _ENERGY_CARRIER,
            "factor": _arg(
                "CO2 per unit of each row, overriding the default; blank = the default [t CO2 per unit]",
                "各行单位能源的 CO2 排放因子，覆盖缺省值；空白取缺省值 [t CO2/单位]",
                optional=True,
            ),
        },
    },
    "CP_PORTFOLIO": {
        "twin": "portfolio",
        "en": "The options that maximise the total value within the budget (0/1 program); spills 1 (do it) or 0 "
        "per option.",
        "zh": "预算内使总价值最大的方案组合（0-1 规划）；每个方案溢出 1（实施）或 0。",
        "spill": "column",
        "args": {
            "values": _arg(
                "Value of each option: NPV, pollutant or CO2 reduction; may be negative [value unit]",
                "各方案的价值：净现值、污染物或 CO2 削减量；可为负 [价值单位]",
            ),
            "costs": _arg("Investment of each option, >= 0 [currency]", "各方案的投资，≥ 0 [元]"),
            "budget": _arg("Budget, >= 0 [currency]", "投资预算，≥ 0 [元]"),
            "exclusive_groups": _arg(
                "For each option a label: options sharing a label exclude each other; blank = none [-]",
                "各方案的互斥组标签：同一标签的方案只能选其一；空白表示无 [-]",
                optional=True,
            ),
            "requires": _arg(
                "For each option, the row (1-based) of the option it needs, several separated by commas; blank = "
                "none [-]",
                "各方案所依赖方案的行号（从 1 起），多个用逗号分隔；空白表示无 [-]",
                optional=True,
            ),
        },
    },
    "CP_VERSION": {
        "twin": "__version__",
        "en": "The cpxl version: proves that the functions are loaded.",
        "zh": "cpxl 版本号：用于确认函数已加载。",
        "spill": None,
        "args": {},
    },
}


def names() -> list[str]:
    """The worksheet function names, in the order of DESIGN.md's table.

    Examples
    --------
    >>> names()[:3]
    ['CP_ELF', 'CP_EFACTOR', 'CP_PMI']
    """
    return list(CATALOG)


def description(name: str, lang: str | None = None) -> str:
    """The one-line description of worksheet function *name*: in one language, or both (Excel's wizard).

    Parameters
    ----------
    name : str
        Worksheet function name, e.g. ``"CP_ELF"``.
    lang : {"en", "zh"}, optional
        Language; omit for the bilingual text ``"<en> | <zh>"`` that the function wizard shows.

    Returns
    -------
    description : str
        The description, at most 255 characters when bilingual.

    Examples
    --------
    >>> description("CP_EFACTOR")
    "Sheldon's E-factor = sum of waste / product. | E 因子 = 废物总量 / 产品。"
    """
    entry = CATALOG[name]
    return entry[lang] if lang else f"{entry['en']} | {entry['zh']}"


def argument_help(name: str, argument: str, lang: str | None = None) -> str:
    """The help of one argument of worksheet function *name*: in one language, or both (Excel's wizard).

    Parameters
    ----------
    name : str
        Worksheet function name, e.g. ``"CP_ELF"``.
    argument : str
        Argument name, e.g. ``"product"``.
    lang : {"en", "zh"}, optional
        Language; omit for the bilingual text ``"<en> | <zh>"``; an optional argument is marked so.

    Returns
    -------
    help : str
        Meaning and unit of the argument, at most 255 characters when bilingual.

    Examples
    --------
    >>> argument_help("CP_ELF", "product", "en")
    'Product sold, > 0 [kg]'
    >>> argument_help("CP_CASH_FLOW", "tax_rate")
    '(optional) Income-tax rate t in [0, 1); 25 % is 0.25; default 0 [-] | （可选）所得税率 t...'
    """
    spec = CATALOG[name]["args"][argument]
    en, zh = spec["en"], spec["zh"]
    if spec["optional"]:
        en, zh = f"(optional) {en}", f"（可选）{zh}"
    if lang == "en":
        return en
    if lang == "zh":
        return zh
    return f"{en} | {zh}"
