"""The power grids an electricity CO₂ emission factor is published for: the nation, the seven regional
grids and the 31 provinces (the scopes of the MEE/NBS 电力二氧化碳排放因子 announcements).

Plain constants, no Django: the campaign names the grid its units buy from (assessment.models.Campaign.
electricity_grid) and the ledger's carbon account (assessment.ledger.carbon) picks the factor by it."""

NATIONAL = "national"

REGIONS = (
    ("north", "华北区域"),
    ("northeast", "东北区域"),
    ("east", "华东区域"),
    ("central", "华中区域"),
    ("northwest", "西北区域"),
    ("south", "南方区域"),
    ("southwest", "西南区域"),
)

PROVINCES = (
    ("beijing", "北京"), ("tianjin", "天津"), ("hebei", "河北"), ("shanxi", "山西"), ("neimenggu", "内蒙古"),
    ("liaoning", "辽宁"), ("jilin", "吉林"), ("heilongjiang", "黑龙江"), ("shanghai", "上海"),
    ("jiangsu", "江苏"), ("zhejiang", "浙江"), ("anhui", "安徽"), ("fujian", "福建"), ("jiangxi", "江西"),
    ("shandong", "山东"), ("henan", "河南"), ("hubei", "湖北"), ("hunan", "湖南"), ("guangdong", "广东"),
    ("guangxi", "广西"), ("hainan", "海南"), ("chongqing", "重庆"), ("sichuan", "四川"), ("guizhou", "贵州"),
    ("yunnan", "云南"), ("xizang", "西藏"), ("shaanxi", "陕西"), ("gansu", "甘肃"), ("qinghai", "青海"),
    ("ningxia", "宁夏"), ("xinjiang", "新疆"),
)

GRID_LABELS = {NATIONAL: "全国", **dict(REGIONS), **dict(PROVINCES)}
GRID_CODES = tuple(GRID_LABELS)


def grid_label(code: str) -> str:
    return GRID_LABELS.get(code, code)
