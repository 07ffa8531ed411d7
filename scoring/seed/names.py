"""Deterministic person names for the people the source report counts but does not name.

A name is a common surname and one or two common given-name characters. The generator never hands
out a name twice and never one of the real names in the report, so a generated person cannot be
mistaken for someone the report mentions.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Final

from scoring.seed.errors import SeedError

# Among the most frequent surnames in Beijing's household register.
SURNAMES: Final = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN_CHARACTERS: Final = (
    "秀英华文明国建军平兰玉芳桂凤淑丽珍云红海春梅志刚立新金荣德永福宝强伟霞燕敏静萍娟"
    "洪亮波涛杰斌鹏辉勇利庆东晓琴振卫民学爱秋菊慧颖婷欣怡宇浩然"
)

_ATTEMPTS_PER_NAME: Final = 1000


class NameGenerator:
    """Draws distinct Chinese personal names from a seeded `random.Random`."""

    def __init__(self, rng: random.Random, *, avoid: Iterable[str] = ()) -> None:
        self._rng = rng
        self._used: set[str] = set(avoid)

    def reserve(self, name: str) -> None:
        """Mark a name as taken (a real one placed by hand) so it is never generated."""
        self._used.add(name)

    def next(self) -> str:
        rng = self._rng
        for _ in range(_ATTEMPTS_PER_NAME):
            given_length = 1 if rng.random() < 0.3 else 2
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN_CHARACTERS) for _ in range(given_length)
            )
            if name not in self._used:
                self._used.add(name)
                return name
        raise SeedError(
            f"no unused name after {_ATTEMPTS_PER_NAME} draws: the name space is nearly exhausted;"
            " generate systematic names for data sets this large"
        )
