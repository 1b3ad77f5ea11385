"""A run given part of the store's workbooks: it says which rules across workbooks it could not
check."""

import datetime as dt
import subprocess
import sys

from helpers import REG_HEADER, reg_row, write_xlsx

from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)
CARD_HEADER = ["建卡日期", "客户姓名", "联系电话", "意向车型", "意向级别", "销售顾问", "信息来源", "状态"]


def cli(*args: object) -> str:
    return subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args), "--as-of", AS_OF.isoformat()],
                          capture_output=True, text=True, timeout=120).stdout


def test_a_visitor_log_alone_says_which_rules_across_workbooks_did_not_run(tmp_path):
    log = write_xlsx(tmp_path / "登记.xlsx", {"登记": [REG_HEADER, reg_row(test_drive="是")]})
    r = validate([log], as_of=AS_OF)
    assert [a.rule for a in r.not_run()] == ["card.missing", "testdrive.missing"]
    assert not r.findings  # the log is not wrong: the run was partial
    out = cli("validate", log)
    assert "没有跟进卡（card.missing，要和客户跟进卡一起检查）" in out and "testdrive.missing" in out
    # with the cards beside it, card.missing runs and finds the visitor without one; the drive stays untold
    cards = write_xlsx(tmp_path / "卡.xlsx", {"跟进卡": [CARD_HEADER, [dt.date(2026, 11, 20), "张先生", "13900001111",
                                                                   "凯美瑞", "A", "李娜", "汽车之家", "跟进中"]]})
    r = validate([log, cards], as_of=AS_OF)
    assert [a.rule for a in r.not_run()] == ["testdrive.missing", "card.not_closed"]  # the cards: no deliveries
    assert "card.missing" in [f.rule for f in r.findings]


def test_a_log_without_a_test_drive_column_is_not_told_of_the_drives(tmp_path):
    header = [h for h in REG_HEADER if h != "是否试驾"]
    row = reg_row()
    del row[REG_HEADER.index("是否试驾")]
    log = write_xlsx(tmp_path / "登记.xlsx", {"登记": [header, row]})
    assert [a.rule for a in validate([log], as_of=AS_OF).not_run()] == ["card.missing"]


def test_an_instructions_sheet_is_not_listed_but_an_unknown_one_is(tmp_path):
    log = write_xlsx(tmp_path / "登记.xlsx", {"填表说明": [["1. 每位来店客户登记一行"]], "登记": [REG_HEADER, reg_row()],
                                              "草稿": [["随便写的", "几个字"]]})
    out = cli("validate", log)
    assert "填表说明" not in out and "[草稿] 不是已知的表，已跳过" in out
    assert [s["name"] for s in validate([log], as_of=AS_OF).files[0].sheets] == ["填表说明", "登记", "草稿"]
