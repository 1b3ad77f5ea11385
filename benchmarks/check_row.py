"""``DEALER_CHECK_ROW`` as Excel calls it: once per row, a loop of ``n`` rows of 20 cells.

Prints the CPU microseconds per row. Run as a whole process by ``python -m benchmarks``;
on Linux the xlwings decorators do nothing, so this times the function itself.
"""

from __future__ import annotations

import datetime as dt
import sys
import time


def main(n: int = 10_000) -> None:
    from udfs.dealer_udfs import DEALER_CHECK_ROW

    header = ["日期", "来店时间", "离店时间", "来店/来电", "首次/再次", "客户姓名", "性别", "联系电话", "同行人数",
              "意向车型", "信息来源", "意向级别", "接待顾问", "是否试驾", "是否建卡", "区域", "备注", "微信号",
              "预算", "关注点"]
    rows = []
    for i in range(n):
        # as xlwings hands a row over: floats, datetimes, None for blanks; every 50th with mistakes
        bad = i % 50 == 0
        rows.append([dt.datetime(2026, 11, 1 + i % 26), 0.4 + (i % 40) / 100, 0.5 + (i % 40) / 100, "来店",
                     "首次" if i % 3 else "再次", f"客户{i}", "男" if i % 2 else "女",
                     1381234567.0 if bad else 13812340000.0 + i, 1.0, "威兰达", "懂车帝" if not bad else "路人",
                     "H" if i % 4 else "A", "张伟", "是" if i % 5 == 0 else "否", "是", "天河区", None, None,
                     "20万", "油耗"])
    as_of = dt.datetime(2026, 11, 27)
    DEALER_CHECK_ROW([header], [rows[0]], as_of)  # the first call imports and reads the config
    t = time.process_time()
    said = 0
    for row in rows:
        said += bool(DEALER_CHECK_ROW([header], [row], as_of))
    spent = time.process_time() - t
    if said != n // 50:
        raise SystemExit(f"expected {n // 50} rows with findings, got {said}")
    print(f"{spent / n * 1e6:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
