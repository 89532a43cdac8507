"""Every text the audit workbook shows, in English and Chinese, from one table.

``label(key, lang)`` looks a text up; a missing key is a programming error and
raises ``KeyError`` at build time, never a blank cell. Choice codes of the
schema (``equipment``, ``no_low``, ...) have labels under ``choice.<code>``.
"""

from __future__ import annotations

__all__ = ["LABELS", "LANGUAGES", "choice_code", "choice_label", "label"]

LANGUAGES = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    # sheets
    "sheet.guide": ("0 Guide", "0 使用说明"),
    "sheet.team": ("1 Team & plan", "1 审核准备"),
    "sheet.company": ("2 Company", "2 企业概况"),
    "sheet.pollutants": ("2 Pollutants", "2 污染物"),
    "sheet.benchmark": ("2 Benchmark", "2 对标评级"),
    "sheet.focus": ("2 Focus", "2 审核重点"),
    "sheet.targets": ("2 Targets", "2 清洁生产目标"),
    "sheet.flowsheet": ("3 Flowsheet", "3 工艺流程"),
    "sheet.balance": ("3 Material balance", "3 物料平衡"),
    "sheet.components": ("3 Component balance", "3 组分平衡"),
    "sheet.water": ("3 Water balance", "3 水平衡"),
    "sheet.causes": ("3 Waste causes", "3 原因分析"),
    "sheet.options": ("4 Options", "4 方案"),
    "sheet.feasibility": ("5 Feasibility", "5 可行性分析"),
    "sheet.implementation": ("6 Implementation", "6 方案实施"),
    "sheet.continuing": ("7 Continuing CP", "7 持续清洁生产"),
    "sheet.dashboard": ("Dashboard", "指标总览"),
    # titles of blocks
    "title.guide": ("Cleaner-production audit workbook", "清洁生产审核工作簿"),
    "title.team": ("Audit team (审核小组成员表)", "审核小组成员表"),
    "title.plan": ("Audit work plan", "审核工作计划表"),
    "title.company": ("Company profile", "企业基本情况"),
    "title.products": ("Products and output", "主要产品及产量"),
    "title.consumption": ("Raw materials, energy and water", "原辅材料及能源、水消耗"),
    "title.pollutants": ("Generation and discharge of pollutants", "污染物产生与排放"),
    "title.steps": ("Process steps and yields", "工艺步骤与收率"),
    "title.indicators": ("Benchmarking against the indicator system", "清洁生产评价指标对标"),
    "title.grade": ("Result", "评价结果"),
    "title.focus": ("Audit focus by weighted-sum scoring", "权重总和计分排序法确定审核重点"),
    "title.targets": ("Cleaner-production targets and attainment", "清洁生产目标及完成情况"),
    "title.streams": ("Flowsheet as a stream table", "工艺流程（物流表）"),
    "title.balance": ("Material balance per unit and overall", "单元及全厂物料平衡"),
    "title.component_balance": (
        "Component balance: a pollutant, solvent or metal through the stream table",
        "组分平衡：污染物、溶剂或金属在各物流中的平衡",
    ),
    "title.components": ("Components and the plant's balance of each", "平衡组分及全厂组分平衡"),
    "title.stream_contents": ("Content of each stream, measured and reconciled", "各物流组分含量：实测与校正"),
    "title.unit_components": ("Component balance of each unit", "各单元组分平衡"),
    "title.water": ("Water balance", "水平衡"),
    "title.water_users": ("Water users", "用水单元"),
    "title.units": ("Balance of each unit", "各单元物料平衡"),
    "title.causes": ("Causes of waste over the eight aspects", "废物产生原因分析（八个方面）"),
    "title.causes_summary": ("Causes by aspect", "按方面汇总"),
    "title.options": ("Option register, screening and ranking", "方案汇总、初步筛选与权重排序"),
    "title.feasibility": ("Feasibility: economic and environmental evaluation", "可行性分析：经济与环境评估"),
    "title.environment": ("Environmental evaluation: before and after", "环境评估：实施前后对比"),
    "title.implementation": ("Implementation and achieved results", "方案实施及效果"),
    "title.continuing": ("Continuing cleaner production plan", "持续清洁生产计划"),
    "title.dashboard": ("Key results", "主要指标"),
    "title.pareto": ("Waste streams, largest first", "废物排序"),
    "title.weights": ("Factor weights", "因素权重"),
    "title.reductions": ("Before and after: reduction of the pollutant by option", "实施前后：各方案污染物削减率"),
    # fields
    "field.company": ("Company", "企业名称"),
    "field.industry": ("Industry", "所属行业"),
    "field.location": ("Location", "地址"),
    "field.audit_period": ("Audit period", "审核期"),
    "field.employees": ("Employees", "职工人数"),
    "field.description": ("Description", "企业简介"),
    "field.mass_unit": ("Mass unit", "质量单位"),
    "field.currency": ("Currency", "货币"),
    "field.discount_rate": ("Discount rate", "折现率"),
    "field.tax_rate": ("Income-tax rate", "所得税率"),
    "field.closure_tolerance": ("Balance tolerance |closure|", "物料平衡允许误差"),
    # table columns (inputs)
    "col.team.name": ("Name", "姓名"),
    "col.team.role": ("Role in the team", "审核小组职务"),
    "col.team.department": ("Department", "部门"),
    "col.team.title": ("Job title", "职务/职称"),
    "col.team.specialty": ("Specialty", "专业"),
    "col.team.duties": ("Duties in the audit", "审核职责"),
    "col.team.time": ("Time", "投入时间"),
    "col.plan.stage": ("Stage", "审核阶段"),
    "col.plan.task": ("Work", "工作内容"),
    "col.plan.start": ("Start", "开始"),
    "col.plan.end": ("End", "结束"),
    "col.plan.owner": ("Owner", "负责人"),
    "col.plan.output": ("Output", "产出"),
    "col.products.name": ("Product", "产品"),
    "col.products.unit": ("Unit", "单位"),
    "col.products.output": ("Annual output", "年产量"),
    "col.products.main": ("Main product", "主产品"),
    "col.consumption.name": ("Item", "名称"),
    "col.consumption.category": ("Category", "类别"),
    "col.consumption.unit": ("Unit", "单位"),
    "col.consumption.amount": ("Annual amount", "年消耗量"),
    "col.consumption.intensity": ("Per unit of main product", "单位产品消耗"),
    "col.pollutants.name": ("Pollutant / waste", "污染物/废物"),
    "col.pollutants.medium": ("Medium", "类别"),
    "col.pollutants.unit": ("Unit", "单位"),
    "col.pollutants.generated": ("Generated per year", "年产生量"),
    "col.pollutants.discharged": ("Discharged per year", "年排放量"),
    "col.pollutants.removal": ("Removed before discharge", "去除率"),
    "col.pollutants.intensity": ("Generated per unit of main product", "单位产品产生量"),
    "col.pollutants.mass": ("Generated, as mass", "产生量（按质量计）"),
    "col.steps.name": ("Step", "步骤"),
    "col.steps.yield": ("Yield", "收率"),
    "col.indicators.name": ("Indicator", "指标"),
    "col.indicators.unit": ("Unit", "单位"),
    "col.indicators.group": ("First-level group", "一级指标"),
    "col.indicators.group_weight": ("Weight of the group (first level)", "一级指标权重"),
    "col.indicators.weight_in_group": ("Weight in the group (second level)", "二级指标分权重"),
    "col.indicators.weight": ("Composite weight (group × in group)", "综合权重"),
    "col.indicators.lower_is_better": ("Lower is better", "越低越好"),
    "col.indicators.level_1": ("Level I", "Ⅰ级基准值"),
    "col.indicators.level_2": ("Level II", "Ⅱ级基准值"),
    "col.indicators.level_3": ("Level III", "Ⅲ级基准值"),
    "col.indicators.value": ("Plant value", "企业现状值"),
    "col.indicators.limiting": ("Limiting", "限定性指标"),
    "col.indicators.effective": ("Effective weight", "有效权重"),
    "col.indicators.meets_1": ("Meets I", "达Ⅰ级"),
    "col.indicators.meets_2": ("Meets II", "达Ⅱ级"),
    "col.indicators.meets_3": ("Meets III", "达Ⅲ级"),
    "col.indicators.level": ("Level met", "达到级别"),
    "col.focus.name": ("Candidate area", "备选审核重点"),
    "col.focus.score": ("Weighted score", "总分"),
    "col.focus.rank": ("Rank", "排序"),
    "col.targets.name": ("Target indicator", "目标指标"),
    "col.targets.unit": ("Unit", "单位"),
    "col.targets.lower_is_better": ("Lower is better", "越低越好"),
    "col.targets.baseline": ("Baseline", "现状值"),
    "col.targets.near_term": ("Near-term target", "近期目标"),
    "col.targets.long_term": ("Long-term target", "远期目标"),
    "col.targets.achieved": ("Achieved", "实际完成"),
    "col.targets.near_change": ("Near-term change", "近期目标变化率"),
    "col.targets.achieved_change": ("Achieved change", "实际变化率"),
    "col.targets.attained": ("Near-term target met", "近期目标完成情况"),
    "col.streams.name": ("Stream", "物流"),
    "col.streams.source": ("From unit (blank: outside)", "来自单元（空=系统外）"),
    "col.streams.target": ("To unit (blank: outside)", "去往单元（空=系统外）"),
    "col.streams.measured": ("Measured flow", "实测流量"),
    "col.streams.sigma": ("Standard uncertainty", "标准不确定度"),
    "col.streams.reconciled_at_build": ("Reconciled at build (values)", "生成时的校正流量（数值）"),
    "col.streams.reconciled": ("Reconciled flow", "校正后流量"),
    "col.streams.reconciled_sigma": ("Its uncertainty", "校正后不确定度"),
    "col.streams.status": ("Status", "状态"),
    "col.components.name": ("Component", "组分"),
    "col.components.unit": ("Unit of content", "含量单位"),
    "col.components.factor": ("kg/kg per unit", "折合质量分数系数"),
    "col.components.inflow": ("Σ in (plant)", "全厂输入"),
    "col.components.outflow": ("Σ out (plant)", "全厂输出"),
    "col.components.unmeasured": ("Unmeasured boundary streams", "边界未测物流数"),
    "col.components.closure": ("Closure (in − out)/in", "相对误差"),
    "col.components.flag": ("Check", "判断"),
    "col.units.name": ("Unit operation", "单元操作"),
    "col.units.stock_change": ("Stock change", "库存变化"),
    "col.units.inflow": ("Σ in", "输入合计"),
    "col.units.outflow": ("Σ out", "输出合计"),
    "col.units.unmeasured": ("Unmeasured streams", "未测物流数"),
    "col.units.closure": ("Closure (in − out − Δstock)/in", "相对误差"),
    "col.units.flag": ("Check", "判断"),
    "col.water.name": ("Water user", "用水单元"),
    "col.water.fresh": ("Fresh water", "新鲜水量"),
    "col.water.reused": ("Reused water", "重复利用水量"),
    "col.water.wastewater": ("Wastewater", "排水量"),
    "col.water.reuse_rate": ("Reuse rate", "重复利用率"),
    "col.causes.waste": ("Waste or loss", "废物/损失"),
    "col.causes.aspect": ("Aspect", "原因类别"),
    "col.causes.cause": ("Cause", "产生原因"),
    "col.causes.count": ("Causes", "原因数"),
    "col.options.id": ("ID", "编号"),
    "col.options.name": ("Option", "方案名称"),
    "col.options.aspect": ("Aspect", "方案类型"),
    "col.options.cost_class": ("Cost class", "费用类别"),
    "col.options.technical_ok": ("Technically feasible", "技术可行"),
    "col.options.environmental_ok": ("Environmentally sound", "环境可行"),
    "col.options.economic_ok": ("Economically viable", "经济可行"),
    "col.options.passed": ("Passes screening", "通过初筛"),
    "col.options.score": ("Weighted score", "总分"),
    "col.options.rank": ("Rank", "排序"),
    "col.options.investment": ("Investment I", "投资 I"),
    "col.options.saving": ("Annual net saving P", "年净收益 P"),
    "col.options.life": ("Life Y (years)", "折旧年限 Y"),
    "col.options.depreciation": ("Depreciation D = I/Y", "折旧费 D"),
    "col.options.taxable": ("Taxable T = P − D", "应税利润 T"),
    "col.options.net_profit": ("Net profit E", "净利润 E"),
    "col.options.cash_flow": ("Cash flow F = E + D", "年净现金流量 F"),
    "col.options.payback": ("Payback N = I/F (years)", "投资偿还期 N=I/F"),
    "col.options.payback_pretax": ("Pre-tax payback I/P (years)", "税前偿还期 I/P"),
    "col.options.payback_discounted": ("Discounted payback (years)", "动态投资回收期"),
    "col.options.npv": ("NPV", "净现值 NPV"),
    "col.options.npvr": ("NPVR", "净现值率 NPVR"),
    "col.options.irr": ("IRR", "内部收益率 IRR"),
    "col.options.pollutant": ("Pollutant", "污染物"),
    "col.options.before": ("Before", "实施前"),
    "col.options.after": ("After", "实施后"),
    "col.options.reduction": ("Reduction", "削减率"),
    "col.options.status": ("Status", "实施状态"),
    "col.options.achieved_saving": ("Achieved annual saving", "实际年收益"),
    "col.continuing.action": ("Action", "措施"),
    "col.continuing.owner": ("Owner", "负责人"),
    "col.continuing.due": ("Due", "完成时间"),
    "col.continuing.notes": ("Notes", "备注"),
    # rating factors
    "factor.focus.waste_quantity": ("Waste quantity", "废物量"),
    "factor.focus.consumption": ("Main consumption", "主要消耗"),
    "factor.focus.environmental_cost": ("Environmental cost", "环保费用"),
    "factor.focus.toxicity": ("Waste toxicity", "废物毒性"),
    "factor.focus.cp_potential": ("CP potential", "清洁生产潜力"),
    "factor.focus.willingness": ("Workshop willingness", "车间积极性"),
    "factor.options.technical": ("Technical", "技术可行性"),
    "factor.options.environmental": ("Environmental", "环境效果"),
    "factor.options.economic": ("Economic", "经济效益"),
    "factor.options.ease": ("Ease of implementation", "实施难易"),
    "factor.options.production_effect": ("Effect on production", "对生产的影响"),
    # choices
    "choice.planning": ("1 Planning & organisation", "1 筹划和组织"),
    "choice.pre_assessment": ("2 Pre-assessment", "2 预审核"),
    "choice.assessment": ("3 Assessment", "3 审核"),
    "choice.options": ("4 Options", "4 方案产生和筛选"),
    "choice.feasibility": ("5 Feasibility", "5 可行性分析"),
    "choice.implementation": ("6 Implementation", "6 方案实施"),
    "choice.continuous": ("7 Continuous CP", "7 持续清洁生产"),
    "choice.materials_energy": ("Raw materials & energy", "原辅材料和能源"),
    "choice.technology": ("Technology", "技术工艺"),
    "choice.equipment": ("Equipment", "设备"),
    "choice.process_control": ("Process control", "过程控制"),
    "choice.product": ("Product", "产品"),
    "choice.waste": ("Waste", "废物"),
    "choice.management": ("Management", "管理"),
    "choice.employees": ("Employees", "员工"),
    "choice.no_low": ("No/low cost", "无/低费"),
    "choice.medium_high": ("Medium/high cost", "中/高费"),
    "choice.wastewater": ("Wastewater", "废水"),
    "choice.waste_gas": ("Waste gas", "废气"),
    "choice.solid_waste": ("Solid waste", "固体废物"),
    "choice.raw_material": ("Raw material", "原料"),
    "choice.auxiliary": ("Auxiliary material", "辅料"),
    "choice.energy": ("Energy", "能源"),
    "choice.water": ("Water", "水"),
    "choice.planned": ("Planned", "计划"),
    "choice.in_progress": ("In progress", "实施中"),
    "choice.done": ("Done", "已完成"),
    "choice.kg_kg": ("kg/kg", "kg/kg"),
    "choice.percent": ("%", "%"),
    "choice.g_kg": ("g/kg", "g/kg"),
    "choice.mg_kg": ("mg/kg", "mg/kg"),
    "choice.g_l": ("g/L", "g/L"),
    "choice.mg_l": ("mg/L", "mg/L"),
    # words in computed cells
    "word.ok": ("ok", "合格"),
    "word.check": ("check", "需核查"),
    "word.incomplete": ("unmeasured streams", "有未测物流"),
    "word.attained": ("met", "已完成"),
    "word.missed": ("missed", "未完成"),
    "word.not_attained": ("not attained", "未达到"),
    "word.missing": ("values missing", "数据不全"),
    "word.total": ("Total", "合计"),
    "word.system": ("Whole plant (system boundary)", "全厂（系统边界）"),
    "word.needs_addin": ("needs the cpxl add-in", "需加载 cpxl 加载项"),
    "word.level": ("Level", "级"),
    "word.no_irr": ("no IRR", "无 IRR"),
    "word.never": ("never repaid", "无法回收"),
    "word.yes": ("Yes", "是"),
    "word.no": ("No", "否"),
    "word.outside": (
        " cells typed below the table are not counted: insert rows inside the table for them",
        " 个单元格填在表格下方，未计入：请在表格内插入行后填写",
    ),
    "word.component": ("Component {k}", "组分{k}"),
    "word.incomplete_component": ("streams not analysed", "有未测物流"),
    "word.components_note": (
        "Name up to four components, each with the unit its contents are given in: kg/kg, %, g/kg, mg/kg, g/L or "
        "mg/L (g/L and mg/L are taken at a density of 1 kg/L, as for water: 1 mg/L = 10⁻⁶ kg/kg). Give each "
        "stream's content beside its flow; a stream that carries none of the component has content 0. A stock "
        "change of a component is a stream to or from storage.",
        "最多填写四个组分及其含量单位：kg/kg、%、g/kg、mg/kg、g/L 或 mg/L（g/L、mg/L 按密度 1 kg/L 折算，如水："
        "1 mg/L = 10⁻⁶ kg/kg）。在各物流旁填写其含量；不含该组分的物流填 0。组分的库存变化按进出储存的物流填写。",
    ),
    "word.components_hint": (
        "The live columns need the cpxl add-in (CP_RECONCILE_COMPONENTS); the values at build are beside them",
        "实时列需加载 cpxl 加载项（CP_RECONCILE_COMPONENTS）；生成时的校正值在其左侧",
    ),
    "word.addin_hint": (
        "These columns need the cpxl add-in; the values at build are in column {col}",
        "以下几列需加载 cpxl 加载项；生成时的校正值见 {col} 列",
    ),
    # dashboard
    "result.main_output": ("Main product output", "主产品产量"),
    "result.elf": ("ELF (raw + auxiliary − product) / product", "环境负荷因子 ELF"),
    "result.pmi": ("PMI (raw + auxiliary + water) / product", "过程质量强度 PMI"),
    "result.efactor": ("E-factor (wastes in mass unit) / product", "E 因子"),
    "result.overall_yield": ("Overall yield of the steps", "总收率"),
    "result.grade": ("Cleaner-production level (0 = not attained)", "清洁生产水平（0=未达到）"),
    "result.y1": ("Composite score Y_I", "综合评价指数 Y_I"),
    "result.y2": ("Composite score Y_II", "综合评价指数 Y_II"),
    "result.y3": ("Composite score Y_III", "综合评价指数 Y_III"),
    "result.system_closure": ("Plant balance closure", "全厂物料平衡相对误差"),
    "result.units_to_check": ("Units beyond tolerance", "超出允许误差的单元数"),
    "result.component_units_to_check": (
        "Component balances of units beyond tolerance",
        "超出允许误差的单元组分平衡数",
    ),
    "result.water_reuse": ("Water reuse rate", "水重复利用率"),
    "result.fresh_water_intensity": ("Fresh water per unit of main product", "单位产品新鲜水耗"),
    "result.options_count": ("Options registered", "方案总数"),
    "result.options_passed": ("Options passing screening", "通过初筛的方案"),
    "result.options_done": ("Options done", "已实施方案"),
    "result.investment": ("Investment of options passing screening", "通过初筛方案总投资"),
    "result.saving": ("Annual saving of options passing screening", "通过初筛方案年收益"),
    "result.achieved_saving": ("Achieved annual saving", "已实现年收益"),
    "result.targets_met": ("Near-term targets met", "已完成近期目标数"),
    "result.share": ("Cumulative share", "累计比例"),
    "result.outside": ("Cells typed below the tables, not counted", "填在表格下方、未计入的单元格"),
    "result.closure_tolerance": ("Tolerance of a balance (|closure| beyond it: check)", "平衡允许误差（超出需核查）"),
    # guide
    "guide.how": ("How to use this workbook", "使用方法"),
    "guide.how.1": (
        "Fill the yellow cells; grey cells compute with ordinary formulas and need no add-in.",
        "填写黄色单元格；灰色单元格为普通公式自动计算，无需加载项。",
    ),
    "guide.how.2": (
        "Tables have spare rows: type into the next empty row and the formulas follow.",
        "各表预留空行：在下一空行填写即可，公式自动生效。",
    ),
    "guide.how.3": (
        "Red marks what to look at: a balance beyond tolerance, a negative NPV, a target missed.",
        "红色提示需关注：平衡误差超限、净现值为负、目标未完成。",
    ),
    "guide.how.4": (
        "Reconciled flows use the cpxl add-in (CP_RECONCILE); without it the cells say so.",
        "校正后流量需 cpxl 加载项（CP_RECONCILE）；未加载时单元格给出提示。",
    ),
    "guide.how.5": (
        "Read the filled workbook back into Python with cpxl.workbook.read(path).",
        "填好后可在 Python 中用 cpxl.workbook.read(path) 读回数据。",
    ),
    "guide.stages": ("Audit stages and their sheets", "审核阶段与工作表"),
    "guide.legend": ("Colour legend", "颜色说明"),
    "guide.input": ("Input", "输入"),
    "guide.computed": ("Computed", "计算"),
    "guide.flag": ("Look at this", "需关注"),
    "guide.made_by": ("Made by cpxl", "由 cpxl 生成"),
}


#: The history of the last three years and the environmental facilities (stage 2).
LABELS |= {
    "sheet.history": ("2 History", "2 历史数据"),
    "sheet.facilities": ("2 Facilities", "2 环保设施"),
    "title.history": ("History: the last three years", "近三年生产、消耗及污染物产生情况"),
    "title.history_table": (
        "Output, consumption, pollutants and indicators by year",
        "产量、原辅材料及能源消耗、污染物产生量及主要指标（逐年）",
    ),
    "title.history_trend": (
        "Trend, year 1 = 100 %: per unit of main product (outputs and indicators: the value)",
        "变化趋势（第一年 = 100%）：单位产品消耗及产生量（产量、指标按数值）",
    ),
    "title.facilities": ("Environmental facilities and their operation", "环保设施运行状况"),
    "title.facilities_table": (
        "Facilities: capacity, load, removal and cost",
        "环保设施：处理能力、负荷、去除效率及费用",
    ),
    "field.year_1": ("Year 1 (oldest)", "第一年（最早）"),
    "field.year_2": ("Year 2", "第二年"),
    "field.year_3": ("Year 3 (latest)", "第三年（最近）"),
    "field.low_running_rate": ("Running rate flagged below", "运行负荷率下限（低于即标红）"),
    "result.year": ("Year", "年份"),
    "result.history_output": ("Output of the main product", "主产品产量"),
    "result.facilities_operating_cost": ("Operating cost of the facilities per year", "环保设施年运行费用合计"),
    "result.facilities_to_check": (
        "Facilities to look at (above design, below the low rate, outlet above inlet)",
        "需关注的设施（超负荷、低负荷或出口高于进口）",
    ),
    "choice.indicator": ("Indicator", "指标"),
    "col.history.name": ("Item", "名称"),
    "col.history.category": ("Category", "类别"),
    "col.history.unit": ("Unit", "单位"),
    "col.history.main": ("Main product", "主产品"),
    "col.history.year_1": ("Year 1 (oldest)", "第一年"),
    "col.history.year_2": ("Year 2", "第二年"),
    "col.history.year_3": ("Year 3 (latest)", "第三年"),
    "col.history.intensity_1": ("Per unit of main product, year 1", "单位产品，第一年"),
    "col.history.intensity_2": ("Per unit of main product, year 2", "单位产品，第二年"),
    "col.history.intensity_3": ("Per unit of main product, year 3", "单位产品，第三年"),
    "col.history.change": ("Change, year 1 → 3", "变化率（第一年至第三年）"),
    "col.history.intensity_change": ("Change per unit of main product, year 1 → 3", "单位产品变化率（第一年至第三年）"),
    "col.history.trend_1": ("Trend index, year 1", "趋势指数，第一年"),
    "col.history.trend_2": ("Trend index, year 2", "趋势指数，第二年"),
    "col.history.trend_3": ("Trend index, year 3", "趋势指数，第三年"),
    "col.facilities.name": ("Facility", "设施名称"),
    "col.facilities.medium": ("Medium", "类别"),
    "col.facilities.pollutant": ("Pollutant treated", "处理的污染物"),
    "col.facilities.capacity_unit": ("Unit of capacity", "处理能力单位"),
    "col.facilities.design_capacity": ("Design capacity", "设计处理能力"),
    "col.facilities.throughput": ("Actual throughput", "实际处理量"),
    "col.facilities.concentration_unit": ("Unit of concentration", "浓度单位"),
    "col.facilities.inlet": ("Inlet concentration", "进口浓度"),
    "col.facilities.outlet": ("Outlet concentration", "出口浓度"),
    "col.facilities.operating_cost": ("Operating cost per year", "年运行费用"),
    "col.facilities.running_rate": ("Running rate (actual / design)", "运行负荷率（实际/设计）"),
    "col.facilities.removal": ("Removal efficiency (in − out) / in", "去除效率（进−出）/进"),
    "word.history_note": (
        "Type the three years above their columns and, per row, the value of each year (a pollutant's generation, "
        "a consumption, an output, an indicator). Mark the main product: the intensities are per unit of its "
        "output in the same year; outputs and indicators have none.",
        "在各列上方填写三个年份，逐行填写各年数值（污染物产生量、消耗量、产量或指标值）。请标明主产品："
        "单位产品消耗及产生量按同年主产品产量计算；产量和指标行不计算。",
    ),
    "word.facilities_note": (
        "Capacity and throughput in the same unit (m3/d, m3/h, t); inlet and outlet concentration (or load) in "
        "the same unit. Red: running above the design capacity, below the low rate, or an outlet above the inlet.",
        "设计处理能力与实际处理量用同一单位（m3/d、m3/h、t）；进出口浓度（或负荷）用同一单位。"
        "红色：超过设计能力、低于负荷率下限，或出口高于进口。",
    ),
}

#: The columns of each component k (1..4): the stream table's contents and component flows, the units' balances.
for _k in range(1, 5):
    LABELS |= {
        f"col.streams.content_{_k}": (f"Content {_k}", f"含量{_k}"),
        f"col.streams.content_sigma_{_k}": (f"Its uncertainty {_k}", f"含量{_k}不确定度"),
        f"col.streams.component_flow_{_k}": (f"Component flow {_k}", f"组分{_k}流量"),
        f"col.units.component_inflow_{_k}": (f"Σ in {_k}", f"组分{_k}输入"),
        f"col.units.component_outflow_{_k}": (f"Σ out {_k}", f"组分{_k}输出"),
        f"col.units.component_closure_{_k}": (f"Closure {_k}", f"组分{_k}相对误差"),
        f"col.units.component_flag_{_k}": (f"Check {_k}", f"组分{_k}判断"),
    }
#: What a column of a component shows after the component's name, in its header (``{c}`` is the name).
LABELS |= {
    "header.content": ("{c}: content", "{c}含量"),
    "header.content_sigma": ("{c}: uncertainty", "{c}含量不确定度"),
    "header.component_flow": ("{c}: flow", "{c}流量"),
    "header.reconciled_content": ("{c}: reconciled at build", "{c}生成时校正含量"),
    "header.live_content": ("{c}: reconciled (live)", "{c}校正含量（实时）"),
    "header.component_inflow": ("{c}: Σ in", "{c}输入"),
    "header.component_outflow": ("{c}: Σ out", "{c}输出"),
    "header.component_closure": ("{c}: closure", "{c}相对误差"),
    "header.component_flag": ("{c}: check", "{c}判断"),
}
del _k


def label(key: str, lang: str) -> str:
    """The text of *key* in *lang* (``"en"`` or ``"zh"``).

    Examples
    --------
    >>> label("choice.equipment", "zh"), label("sheet.balance", "en")
    ('设备', '3 Material balance')
    """
    return LABELS[key][LANGUAGES.index(lang)]


def choice_label(code: str, lang: str) -> str:
    """The label a dropdown shows for a schema choice *code*."""
    return label(f"choice.{code}", lang)


def choice_code(text: str, choices: tuple[str, ...]) -> str | None:
    """The code whose label (in either language) or code is *text*; None when none matches.

    Examples
    --------
    >>> choice_code("中/高费", ("no_low", "medium_high")), choice_code("Done", ("planned", "done"))
    ('medium_high', 'done')
    """
    wanted = text.strip()
    for code in choices:
        if wanted == code or wanted in LABELS[f"choice.{code}"]:
            return code
    lowered = wanted.lower()
    for code in choices:
        if lowered in (code, *(t.lower() for t in LABELS[f"choice.{code}"])):
            return code
    return None
