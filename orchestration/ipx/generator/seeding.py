"""Deterministic random streams: one independent generator per (seed, purpose...)."""

from __future__ import annotations

import zlib

import numpy as np


def rng_for(seed: int, *labels: object) -> np.random.Generator:
    """A generator that depends only on the seed and the labels (never on call order)."""
    entropy = [int(seed) % (2**63)] + [zlib.crc32(str(label).encode("utf-8")) for label in labels]
    return np.random.default_rng(np.random.SeedSequence(entropy))
