"""The words and number formats every document shares: case categories and states, quarters, dates.

Numbers are written the way the data holds them (an integer as its plain digits) so a reader can
match a figure in a bulletin against the ledger; rates are computed in integers so the same counts
always print the same text.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from scoring.reports.errors import ReportDataError

# The work ledger's problem categories, in the order of the wire protocol's ProblemCategory codes
# (1..7). Bulletins always list all seven, zeros included, so quarters compare line by line.
CASE_CATEGORIES: Final[tuple[str, ...]] = (
    "开墙打洞",
    "违法建设",
    "地桩地锁",
    "群租房屋",
    "堆物堆料",
    "占道经营",
    "其他",
)

# The same categories by the work ledger's codes (scoring.cases.CaseCategory's values), so a caller
# may pass either the code or the label.
CATEGORY_LABELS_BY_CODE: Final[dict[str, str]] = dict(zip(
    ("wall_opening", "illegal_construction", "parking_lock", "group_rental", "piled_materials",
     "street_vending", "other"),
    CASE_CATEGORIES,
    strict=True,
))

# Case workflow states (reported → confirmed → enforcement_requested → fixed → fix_confirmed; or
# not_responsible, duplicate, closed), worded as the work ledger shows them to stewards and chiefs.
CASE_STATE_LABELS: Final[dict[str, str]] = {
    "reported": "已上报",
    "confirmed": "已确认",
    "enforcement_requested": "已申请执法",
    "fixed": "已整改",
    "fix_confirmed": "已确认完成",
    "not_responsible": "不属职责范围",
    "duplicate": "重复上报",
    "closed": "已关闭",
}

QUARTER_NAMES: Final[dict[int, str]] = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}

_DIGITS: Final = "〇一二三四五六七八九"

NO_VALUE: Final = "—"


def category_label(category: str) -> str:
    """The Chinese label of a category given by label (开墙打洞) or by code (wall_opening)."""
    if category in CASE_CATEGORIES:
        return category
    try:
        return CATEGORY_LABELS_BY_CODE[category]
    except KeyError:
        raise ReportDataError(
            f"unknown case category {category!r}: use one of {'、'.join(CASE_CATEGORIES)} or their codes "
            f"{', '.join(CATEGORY_LABELS_BY_CODE)} (map anything else to 其他)"
        ) from None


def state_label(state: str) -> str:
    try:
        return CASE_STATE_LABELS[state]
    except KeyError:
        raise ReportDataError(
            f"unknown case state {state!r}: use one of {', '.join(CASE_STATE_LABELS)}"
        ) from None


def quarter_name(quarter: int) -> str:
    try:
        return QUARTER_NAMES[quarter]
    except KeyError:
        raise ReportDataError(f"a quarter is 1, 2, 3 or 4, got {quarter!r}") from None


def percent(part: int, whole: int) -> str:
    """`part / whole` as a percentage with one decimal, rounded half up: 7 of 8 → "87.5%"."""
    if whole <= 0:
        return NO_VALUE
    per_mille = (2000 * part + whole) // (2 * whole)
    return f"{per_mille // 10}.{per_mille % 10}%"


def day_text(day: date) -> str:
    """2017年10月8日: the form used in the body of a bulletin or report."""
    return f"{day.year}年{day.month}月{day.day}日"


def formal_day_text(day: date) -> str:
    """二〇一七年十二月三十一日: the form printed above a seal on a certificate."""
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


def text_or_dash(value: str | None) -> str:
    return value if value else NO_VALUE


def _small_number(n: int) -> str:
    """1..31 in Chinese numerals: 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"
