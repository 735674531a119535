"""How the simulated economy uses GB/T 4754 divisions: which divisions occur and how often,
their 71号文 risk class, the words in employer names, and their occupational exposures.
Divisions and section letters themselves come from the seed (``reference.divisions``)."""

from __future__ import annotations

import functools

from ipx.reference import read_seed

# Relative frequency of divisions among key-industry employers (national key list).
KEY_DIVISIONS: dict[str, float] = {
    "47": 10, "48": 8, "49": 4, "50": 5,                      # construction
    "53": 1, "54": 8, "55": 2, "58": 2, "59": 2,              # transport
    "33": 5, "34": 5, "35": 4, "36": 4, "37": 2,              # machinery
    "25": 1.5, "26": 5,                                       # hazardous chemicals
    "06": 3, "07": 0.5, "08": 1, "09": 1, "10": 2, "11": 0.5, "12": 0.3,   # mining
}
MINING_DIVISIONS = {"06", "07", "08", "09", "10", "11", "12"}

OTHER_DIVISIONS: dict[str, float] = {
    "13": 3, "14": 2, "17": 3, "18": 3, "19": 1.5, "21": 1.5, "22": 1, "27": 1.5, "29": 3,
    "30": 3, "31": 1, "32": 1, "38": 3, "39": 4, "44": 1.5, "51": 5, "52": 5, "61": 2,
    "62": 3, "64": 2, "65": 4, "70": 3, "72": 4, "74": 2, "77": 1, "80": 2, "84": 1,
}

RISK_CLASS: dict[str, int] = {}
for _cls, _divs in {
    1: "63 64 65 66 67 68 69 70 72 73 74 75 83 84",
    2: "44 45 46 51 52 61 62 77 80",
    3: "13 14 15 17 18 19 21 22 23 24 27 38 39 40 41",
    4: "29 33 34 35 36 37 53 54 55 58 59 60",
    5: "26 28 31 32 42 43 47 48 49 50",
    6: "25 30 11 12",
    7: "07 08 09 10",
    8: "06",
}.items():
    for _d in _divs.split():
        RISK_CLASS[_d] = _cls

BASE_RATES = (0.2, 0.4, 0.7, 0.9, 1.1, 1.3, 1.6, 1.9)   # % of payroll, by risk class 1..8 (spec 6 defaults)
BASE_RATES_SEED = "floating_base_rates"                 # the project's base rates, with provinces' own


@functools.cache
def base_rates(province: str) -> tuple[float, ...]:
    """The base rates of classes 1..8 that the province's premium rates float around: the
    province's own where the premium-floating seed has them (广东 has), else the seed's defaults
    (000000)."""
    rows = read_seed(BASE_RATES_SEED)
    rates = dict(enumerate(BASE_RATES, start=1))
    for code in ("000000", province):
        rates.update({int(r["risk_class"]): float(r["base_rate_pct"]) for r in rows if r["province_code"] == code})
    return tuple(rates[c] for c in range(1, 9))

NAME_WORDS: dict[str, tuple[str, ...]] = {
    "06": ("煤业", "煤矿", "能源"), "07": ("石油", "油气"), "08": ("矿业", "铁矿"),
    "09": ("矿业", "矿产"), "10": ("矿产", "石材", "采石"), "11": ("矿山工程", "矿业服务"),
    "12": ("矿业",), "13": ("食品", "粮油"), "14": ("食品",), "17": ("纺织品", "纺织"),
    "18": ("服饰", "制衣"), "19": ("鞋业", "皮具"), "21": ("家具",), "22": ("纸业",),
    "25": ("石化", "燃料"), "26": ("化工", "化学", "新材料"), "27": ("制药", "生物医药"),
    "29": ("塑胶", "橡胶制品"), "30": ("建材", "水泥", "玻璃"), "31": ("钢铁", "特钢"),
    "32": ("铝业", "有色金属"), "33": ("五金", "金属制品"), "34": ("机械", "通用设备"),
    "35": ("重工", "专用设备"), "36": ("汽车", "汽车零部件"), "37": ("船舶", "轨道交通装备"),
    "38": ("电气", "电器"), "39": ("电子", "光电科技"), "44": ("电力", "热电"),
    "47": ("建筑工程", "建设"), "48": ("路桥", "市政工程"), "49": ("安装工程", "机电安装"),
    "50": ("装饰工程", "幕墙工程"), "51": ("商贸", "供应链"), "52": ("超市", "商业"),
    "53": ("铁路运输",), "54": ("客运", "运输", "物流"), "55": ("航运", "船务"),
    "58": ("货运代理", "物流"), "59": ("仓储", "物流"), "61": ("酒店",), "62": ("餐饮",),
    "64": ("网络科技",), "65": ("软件", "数据科技", "信息技术"), "70": ("置业", "房地产开发"),
    "72": ("商务服务", "人力资源"), "74": ("检测技术", "工程咨询"), "77": ("环保科技", "环境工程"),
    "80": ("家政服务", "物业服务"), "84": ("医疗管理",),
}

BRANDS = ("恒泰", "通达", "天业", "兵峰", "同创", "天山", "兴业", "腾达", "永固", "远航", "佳泰", "宝丰", "锦江", "聚源", "中联", "华发", "金源", "鑫达", "宏达", "盛世", "新华", "东方", "长城", "华兴", "瑞丰", "鼎盛", "和顺", "安泰", "顺发", "建华", "海川", "汇通", "众诚", "鸿运", "宏图", "嘉禾", "华宇", "隆基", "润丰", "合力", "金桥", "银河", "泰和", "永盛", "昌盛", "正大", "万通", "天成", "联创", "博远", "富源", "广厦", "德信", "恒通", "新兴", "光明", "红星", "长江", "黄河", "嘉信", "信达", "安达", "诚信", "国泰", "华新", "振华", "双星", "明珠", "金鹰", "祥云", "福瑞", "厚德", "凯旋", "卓越", "鼎力", "启航", "弘毅")  # noqa: E501 (one line of names)
SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
SUFFIX_WEIGHTS = (0.55, 0.25, 0.15, 0.05)

# Occupational exposure profiles: which factors (of the limit seed) are sampled, and the
# weight of the profile in occupational-disease incidence (dust above all).
PROFILE_OF_DIVISION: dict[str, str] = {}
for _profile, _divs in {
    "coal": "06",
    "ore": "07 08 09 10 11 12",
    "construction": "47 48 49 50 30",
    "chemical": "25 26 27 28 29",
    "machinery": "31 32 33 34 35 36 37 38",
    "transport": "53 54 55 58 59 44",
    "light": "13 14 17 18 19 21 22 39",
}.items():
    for _d in _divs.split():
        PROFILE_OF_DIVISION[_d] = _profile

PROFILE_FACTORS: dict[str, tuple[str, ...]] = {
    "coal": ("煤尘（总尘）", "煤尘（呼尘）", "矽尘（总尘）", "噪声", "一氧化碳"),
    "ore": ("矽尘（总尘）", "矽尘（呼尘）", "噪声", "其他粉尘"),
    "construction": ("水泥粉尘（总尘）", "电焊烟尘", "噪声", "矽尘（总尘）"),
    "chemical": ("苯", "甲苯", "二甲苯", "甲醇", "氨", "硫化氢", "氯", "氰化氢", "甲醛",
                 "一氧化碳", "二氧化硫", "二氧化氮", "噪声"),
    "machinery": ("电焊烟尘", "噪声", "其他粉尘", "甲苯", "二甲苯"),
    "transport": ("噪声", "一氧化碳", "二氧化氮"),
    "light": ("噪声", "其他粉尘", "甲醛"),
    "office": ("噪声",),
}
PROFILE_DUST_WEIGHT = {
    "coal": 12.0, "ore": 8.0, "construction": 3.0, "chemical": 2.0, "machinery": 2.0,
    "transport": 0.4, "light": 0.8, "office": 0.05,
}
PROFILE_SAMPLING_WEIGHT = {
    "coal": 4.0, "ore": 3.0, "construction": 2.5, "chemical": 3.0, "machinery": 2.0,
    "transport": 1.0, "light": 1.0, "office": 0.1,
}

POSTS = {
    "dust": ("破碎岗", "掘进工作面", "采煤工作面", "投料岗", "打磨岗", "包装岗", "筛分岗"),
    "weld": ("焊接岗", "电焊工位"),
    "chem": ("反应釜巡检岗", "灌装岗", "配料岗", "储罐区", "污水处理岗"),
    "noise": ("冲压岗", "空压机房", "破碎岗", "纺纱车间", "发动机试验台"),
}

ACCIDENT_CLASSES_BY_GROUP: dict[str, dict[str, float]] = {
    "mining": {"冒顶片帮": 20, "透水": 4, "瓦斯爆炸": 3, "放炮": 6, "物体打击": 15, "机械伤害": 10,
               "车辆伤害": 10, "高处坠落": 6, "中毒和窒息": 5, "触电": 4, "火药爆炸": 2, "其它伤害": 15},
    "construction": {"高处坠落": 35, "物体打击": 18, "坍塌": 10, "起重伤害": 8, "触电": 6,
                     "机械伤害": 8, "车辆伤害": 5, "淹溺": 1, "其它伤害": 9},
    "transport": {"车辆伤害": 55, "物体打击": 10, "机械伤害": 6, "高处坠落": 6, "淹溺": 4,
                  "起重伤害": 5, "其它伤害": 14},
    "chemical": {"中毒和窒息": 15, "灼烫": 15, "火灾": 8, "容器爆炸": 6, "其它爆炸": 5,
                 "机械伤害": 15, "物体打击": 10, "高处坠落": 8, "锅炉爆炸": 1, "其它伤害": 17},
    "manufacturing": {"机械伤害": 40, "物体打击": 15, "起重伤害": 8, "灼烫": 6, "触电": 4,
                      "高处坠落": 6, "车辆伤害": 5, "其它伤害": 16},
    "other": {"物体打击": 15, "车辆伤害": 20, "机械伤害": 10, "高处坠落": 10, "触电": 5,
              "灼烫": 5, "火灾": 2, "其它伤害": 33},
}


def accident_group(division: str) -> str:
    if division in MINING_DIVISIONS:
        return "mining"
    if division in {"47", "48", "49", "50"}:
        return "construction"
    if division in {"53", "54", "55", "56", "58", "59", "60"}:
        return "transport"
    if division in {"25", "26", "27", "28"}:
        return "chemical"
    if "13" <= division <= "43":
        return "manufacturing"
    return "other"
