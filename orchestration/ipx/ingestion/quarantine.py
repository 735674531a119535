"""Why a whole delivery is quarantined. Reasons are stable codes; details are prose."""

from __future__ import annotations

REASONS = {
    "manifest_unreadable": "清单文件无法读取",
    "manifest_mismatch": "清单与文件名所指数据片不一致",
    "data_file_missing": "清单所指数据文件不存在",
    "file_name_invalid": "文件名不符合规范",
    "sha256_mismatch": "文件摘要与清单不符",
    "row_count_mismatch": "记录数与清单不符",
    "file_unreadable": "文件无法解码或解析",
    "header_invalid": "表头不符合接口规范",
    "name_conflict": "同名文件内容与已接收文件不同",
}


class Quarantine(Exception):
    """Raised while taking a delivery: the whole file is quarantined with this reason."""

    def __init__(self, reason: str, detail: str):
        if reason not in REASONS:
            raise ValueError(f"unknown quarantine reason {reason!r}")
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
