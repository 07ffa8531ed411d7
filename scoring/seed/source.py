"""Facts taken from the source report (shared/seed/000_55ee95754edaaf4f.txt, a Beijing paper, 2017).

Every name and number here appears in the report. The builders take their real names and counts
from this module only, so a reader can check each one against the text; everything the report does
not give is generated systematically elsewhere and never passes for a real street or person.
"""

from __future__ import annotations

from datetime import date
from typing import Final

# -- 西城区 / 西长安街街道 ------------------------------------------------------------------------
XICHENG_NAME: Final = "西城区"
XICHENG_LANES_PLANNED: Final = 1400  # "西城区约1400条背街小巷将全部设立街巷长"
XICHANGAN_NAME: Final = "西长安街街道"
XICHANGAN_LANES: Final = 94  # "94条背街小巷 ... 率先设立街巷长"; "94位街巷长"
TAIPUSI_JIE: Final = "太仆寺街"
JIN_RENHAI: Final = "金仁海"  # "我是咱们这条街的街巷长金仁海" (at 太仆寺街33号院)
XICHANGAN_NOTE: Final = (
    "94条背街小巷率先设立街巷长；街巷长自选物业公司，街巷准物业管理达到全覆盖；"
    "街巷长开展送“四证三券”上门服务。"
)

# -- 东城区 / 龙潭街道 / 幸福社区 --------------------------------------------------------------------
DONGCHENG_NAME: Final = "东城区"  # "东城每一条街巷都将设置一名街巷长": no count given
LONGTAN_NAME: Final = "龙潭街道"
LONGTAN_MAIN_STREETS: Final = 10  # "辖区共有10条主要大街、86条小巷"
LONGTAN_LANES: Final = 86
# "已有60余名社区党员群众报名“小巷管家”": 60-odd; the demo fixes the number.
LONGTAN_STEWARDS: Final = 63
LONGTAN_NOTE: Final = (
    "“小巷管家”在东城区率先试点；60余名社区党员群众报名，按照居住原则分配到所居住的街巷；"
    "日巡、周查、月评、季通报；有三名或以上小巷管家的街巷成立“小巷管家团”。"
)

XINGFU_COMMUNITY_NAME: Final = "幸福社区"
XINGFU_LANES: Final = 5  # "现场他们将幸福社区5条街巷全部认领"
XINGFU_FIRST_STEWARDS: Final = 15  # "15名 ... 党员群众成为首批“小巷管家”"
HAN_XIANFENG: Final = "韩险峰"  # claimed 幸福北里17号楼's 北侧路; lives in 17号楼
ZHAO_YUNHUA: Final = "赵云华"  # the steward of 福光路
LIANG_JINRONG: Final = "梁金荣"  # "福光路的街巷长梁金荣"

XINGFU_BEILI: Final = "幸福北里"
BUILDING_17_NORTH: Final = "17号楼北侧路"  # "幸福北里17号楼的北侧路"
BUILDING_17_SOUTH: Final = "17号楼南侧路"  # "南侧被一名小巷管家认领,北侧则被另一人认领"

FUGUANG_LU: Final = "福光路"
FUGUANG_LU_LENGTH_M: Final = 340  # "全长约340米"
FUGUANG_LU_SHOPS: Final = 20  # "有20个商户"
FUGUANG_LU_RESIDENTIAL_BUILDINGS: Final = 3  # "3栋居民楼"

# The report dates from mid-2017, "一个多月" after the 10 April plan; the recruitment ceremony
# came shortly before. The exact day is the demo's choice.
FIRST_STEWARDS_JOINED_ON: Final = date(2017, 5, 1)
LATER_STEWARDS_FROM: Final = date(2017, 5, 2)
LATER_STEWARDS_UNTIL: Final = date(2017, 6, 30)

# -- 东城区 / 体育馆路街道 --------------------------------------------------------------------------
TIYUGUANLU_NAME: Final = "体育馆路街道"
TIYUGUANLU_STREET_CHIEFS: Final = 10  # "地区10名街长、73名巷长"
TIYUGUANLU_LANE_CHIEFS: Final = 73
GUAN_ZHIMING: Final = "管致明"
TIYUGUANLU_NOTE: Final = (
    "体育馆路街道办事处副主任管致明：“街长”由街道副处级干部担任，“巷长”由街道科级干部担任。"
    "83名街巷长（10名街长、73名巷长）及全体副街巷长参加培训，签订街巷长责任书。"
    "三年计划：2017年9条主要大街、16条背街小巷；2018年16条背街小巷；2019年41条背街小巷。"
)

# "2017年完成 ... 等9条主要大街" — (name, key slug), in the report's order and spelling.
TIYUGUANLU_2017_MAIN_STREETS: Final[tuple[tuple[str, str], ...]] = (
    ("体育馆西路", "tiyuguan-xilu"),
    ("体育馆路", "tiyuguan-lu"),
    ("左安门西街(体育馆路段)", "zuoanmen-xijie"),
    ("崇文门外大街(体育馆路段)", "chongwenmenwai-dajie"),
    ("天坛路(体育馆路段)", "tiantan-lu"),
    ("天坛东路", "tiantan-donglu"),
    ("广渠门内大街(体育馆路段)", "guangqumennei-dajie"),
    ("龙潭路(体育馆路段)", "longtan-lu"),
    ("幸福大街(体育馆路段)", "xingfu-dajie"),
)
# "... 等16条背街小巷的升级改造任务"
TIYUGUANLU_2017_LANES: Final[tuple[tuple[str, str], ...]] = (
    ("东西四块玉路", "dongxi-sikuaiyu-lu"),
    ("四块玉中街", "sikuaiyu-zhongjie"),
    ("法华寺街辅路", "fahuasi-jie-fulu"),
    ("法华寺街", "fahuasi-jie"),
    ("磁器口大街", "ciqikou-dajie"),
    ("东四块玉北街", "dong-sikuaiyu-beijie"),
    ("营房西街", "yingfang-xijie"),
    ("崇外大街西侧", "chongwai-dajie-xice"),
    ("西四块玉胡同", "xi-sikuaiyu-hutong"),
    ("信用北里", "xinyong-beili"),
    ("敬业西里", "jingye-xili"),
    ("磁器口东一巷", "ciqikou-dong-yixiang"),
    ("双玉中街北段", "shuangyu-zhongjie-beiduan"),
    ("法华中街(法华寺营房东街)", "fahua-zhongjie"),
    ("红桥后街", "hongqiao-houjie"),
    ("文章胡同", "wenzhang-hutong"),
)
TIYUGUANLU_2018_LANES: Final = 16  # "2018年,还将完成16条背街小巷环境提升"
TIYUGUANLU_2019_LANES: Final = 41  # "2019年完成41条背街小巷的环境提升"

# Every real person the report names, whatever their part in it; generated names avoid them.
REPORT_PERSON_NAMES: Final[frozenset[str]] = frozenset(
    {
        JIN_RENHAI,
        HAN_XIANFENG,
        ZHAO_YUNHUA,
        LIANG_JINRONG,
        GUAN_ZHIMING,
        "朱仙惠",  # a resident served by 金仁海
        "边磊",  # the reporters and photographer
        "陈曦",
        "于佳",
    }
)
