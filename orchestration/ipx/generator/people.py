"""Simulated persons: resident IDs inside a province and Chinese names.

Names and IDs are personal data: they are written only into landing files, never into the
ground truth or logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ipx.generator.geography import area_codes
from ipx.generator.id_numbers import resident_id_batch

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Rough frequency: the first surnames are far more common.
_SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()

GIVEN_MALE = list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志海峰亮成东文斌振兴荣")
GIVEN_FEMALE = list("芳娜敏静丽艳娟霞燕玲桂丹萍红琳雪梅莉婷慧颖倩洁琴云秀英华兰凤洁月晶蓉")


@dataclass
class People:
    """Columns of a batch of persons (aligned arrays)."""

    person_id: np.ndarray   # resident IDs
    name: np.ndarray
    male: np.ndarray        # bool
    birth: np.ndarray       # datetime64[D]

    def __len__(self) -> int:
        return len(self.person_id)

    def take(self, idx: np.ndarray) -> People:
        return People(self.person_id[idx], self.name[idx], self.male[idx], self.birth[idx])


def chinese_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    n = len(male)
    surname = np.array(SURNAMES)[rng.choice(len(SURNAMES), size=n, p=_SURNAME_WEIGHTS)]
    gm, gf = np.array(GIVEN_MALE), np.array(GIVEN_FEMALE)
    first = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    second = np.where(male, gm[rng.integers(0, len(gm), n)], gf[rng.integers(0, len(gf), n)])
    two_char = rng.random(n) < 0.7
    given = np.where(two_char, np.char.add(first, second), first)
    return np.char.add(surname, given)


def make_people(
    rng: np.random.Generator,
    province: str,
    n: int,
    born_from: str = "1960-01-01",
    born_to: str = "2003-12-31",
    male_share: float = 0.7,
) -> People:
    """``n`` distinct persons with resident IDs issued in ``province``."""
    codes = np.array(area_codes(province))
    lo = np.datetime64(born_from, "D").astype(np.int64)
    hi = np.datetime64(born_to, "D").astype(np.int64)
    male = rng.random(n) < male_share
    birth = rng.integers(lo, hi + 1, size=n).astype("datetime64[D]")
    areas = codes[rng.integers(0, len(codes), n)]
    ids = resident_id_batch(rng, areas, birth, male)
    # Resolve the rare collisions (same area, birth date and sequence) by re-drawing.
    for _ in range(10):
        _, first_idx = np.unique(ids, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first_idx] = False
        if not dup.any():
            break
        k = int(dup.sum())
        birth[dup] = rng.integers(lo, hi + 1, size=k).astype("datetime64[D]")
        ids[dup] = resident_id_batch(rng, areas[dup], birth[dup], male[dup])
    return People(ids, chinese_names(rng, male), male, birth)
