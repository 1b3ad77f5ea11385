"""Exact findings on the visitor log and test-drive register, built messy in code."""

import datetime as dt

from helpers import REG_HEADER, reg_row, write_xlsx

from xl_dealer.samples import id_number
from xl_dealer.validate import validate

AS_OF = dt.date(2026, 11, 27)


def found(result):
    return sorted(((f.sheet, f.row, f.cell, f.field, f.rule) for f in result.findings), key=lambda t: (t[0], t[1] or 0, t[2] or "", t[4]))


def test_clean_rows_give_no_findings(tmp_path):
    rows = [
        ["XX汽车4S店来店(来电)客户登记表 2026年11月"], [],
        REG_HEADER,
        reg_row(),
        reg_row(date="2026/11/21", arrive="9点30", phone=13900001111.0, level="b", type="展厅"),
        reg_row(date="11月22日", arrive=0.4375, leave="11:00", phone="+86 139 0000 2222", card="√"),
        reg_row(phone=None, card="否", remark="客户不留电话"),
        reg_row(phone="１３９００００３３３３", drive="否"),
        ["合计", "5条"],
    ]
    p = write_xlsx(tmp_path / "log.xlsx", {"2026年11月": rows}, merge={"2026年11月": ["A1:M1"]})
    r = validate([p], as_of=AS_OF)
    assert found(r) == []
    sheet = r.files[0].sheets[0]
    assert sheet["kind"] == "registration" and sheet["header_row"] == 3 and sheet["rows"] == 5
    assert sheet["columns"]["phone"] == "*联系电话"


def test_a_total_row_spaced_out_is_not_data(tmp_path):
    """Forms line their labels up with spaces (合 计, 合　　计): still a total row, not a visitor
    with ten blank required cells. A customer's remark that starts so stays a row."""
    rows = [REG_HEADER, reg_row(), reg_row(phone="13900002222", remark="合计两台车的报价"),
            ["合 计", "2条"], ["本日 小　计"], [None] * 10 + ["合　　计：2 条"]]
    p = write_xlsx(tmp_path / "log.xlsx", {"登记": rows})
    r = validate([p], as_of=AS_OF)
    assert found(r) == [] and r.files[0].sheets[0]["rows"] == 2


def test_a_phone_cell_saying_there_is_none(tmp_path):
    """拒留 or 未留 in the phone cell is the customer declining (no finding); 无 or / is a blank
    phone, asked for as one (不能为空), never "not a phone number"; 备注 "电话未留" declines too."""
    rows = [REG_HEADER, reg_row(phone="拒留", card="否"), reg_row(phone="客户未留", card="否"),
            reg_row(phone=" 不留 ", card="否"), reg_row(phone=None, card="否", remark="电话未留"),
            reg_row(phone="无", card="否"), reg_row(phone="/", card="否"), reg_row(phone="微信联系", card="否")]
    p = write_xlsx(tmp_path / "log.xlsx", {"登记": rows})
    assert found(validate([p], as_of=AS_OF)) == [("登记", 6, "F6", "phone", "required"),
                                                 ("登记", 7, "F7", "phone", "required"),
                                                 ("登记", 8, "F8", "phone", "format.phone")]


def test_a_visitor_log_in_other_words(tmp_path):
    """Headers as other stores word and mark them: 来店(来电), ★ on a required column, 到店日期,
    电话/手机, 接待人员, 购车意向级别, 来店渠道, (必填)."""
    header = ["到店日期", "来店时间", "离店时间", "来店（来电）", "客户姓名(必填)", "电话/手机", "意向车型★",
              "来店渠道", "购车意向级别", "接待人员", "是否试驾", "是否建卡", "备注"]
    p = write_xlsx(tmp_path / "log.xlsx", {"登记": [header, reg_row(), reg_row(phone="13900002222")]})
    r = validate([p], as_of=AS_OF)
    assert found(r) == [] and not r.files[0].sheets[0]["unmapped"]
    assert r.files[0].sheets[0]["columns"]["visit_type"] == "来店（来电）"


def test_each_rule_at_its_cell(tmp_path):
    rows = [
        REG_HEADER,
        reg_row(phone="1381234567"),                                   # 2 format.phone H? (col F)
        reg_row(phone=None, card="否"),                                # 3 required phone
        reg_row(date="2026-13-05", phone="13800000003"),               # 4 format.date
        reg_row(arrive="25:70", phone="13800000004"),                  # 5 format.time
        reg_row(arrive=dt.time(15), leave=dt.time(14, 10), phone="13800000005"),  # 6 time.order
        reg_row(source="随便看看", phone="13800000006"),               # 7 enum
        reg_row(level="X", phone="13800000007"),                       # 8 enum
        reg_row(consultant=None, phone="13800000008"),                 # 9 required
        reg_row(card="否", phone="13800000009"),                       # 10 card.required
        reg_row(date=dt.date(2026, 12, 25), phone="13800000010"),     # 11 date.future
        reg_row(phone="13800000010", date=dt.date(2026, 12, 25)),     # 12 duplicate (+ future)
        reg_row(phone="13800000012", card="也许"),                     # 13 enum on a yes/no cell
        reg_row(phone="#N/A", card="是"),                              # 14 formula error value
    ]
    p = write_xlsx(tmp_path / "log.xlsx", {"登记": rows})
    r = validate([p], as_of=AS_OF)
    assert found(r) == sorted([
        ("登记", 2, "F2", "phone", "format.phone"),
        ("登记", 3, "F3", "phone", "required"),
        ("登记", 4, "A4", "date", "format.date"),
        ("登记", 5, "B5", "arrive_time", "format.time"),
        ("登记", 6, "C6", "leave_time", "time.order"),
        ("登记", 7, "H7", "source", "enum"),
        ("登记", 8, "I8", "level", "enum"),
        ("登记", 9, "J9", "consultant", "required"),
        ("登记", 10, "L10", "card", "card.required"),
        ("登记", 11, "A11", "date", "date.future"),
        ("登记", 12, "A12", "date", "date.future"),
        ("登记", 12, "F12", "phone", "duplicate"),
        ("登记", 13, "L13", "card", "enum"),
        ("登记", 14, "F14", "phone", "cell.error"),
    ])
    by_rule = {f.rule: f for f in r.findings}
    assert "1381234567" in by_rule["format.phone"].message
    assert by_rule["format.phone"].column == "*联系电话"
    assert by_rule["duplicate"].severity == "warning"


def test_shuffled_aliases_unknown_columns_and_second_header(tmp_path):
    header = ["微信号", "销售员", "手机号", "姓名", "来访日期", "到店时间", "接待类型", "车型", "客户来源", "客户级别", "序号"]
    good = ["wx1", "张伟", "13900000001", "李女士", dt.date(2026, 11, 2), "14:00", "来电", "卡罗拉", "易车", "H", 1]
    rows = [header, good, [None] * 10 + [2], header, ["wx", "张伟", "139000000", "赵先生", dt.date(2026, 11, 2), "15:00", "来店", "卡罗拉", "易车", "C", 3]]
    p = write_xlsx(tmp_path / "aliases.xlsx", {"说明": [["填表说明"], ["每行一位客户"]], "Sheet1": rows})
    r = validate([p], as_of=AS_OF)
    sheets = {s["name"]: s for s in r.files[0].sheets}
    assert sheets["说明"]["kind"] is None
    s = sheets["Sheet1"]
    assert s["kind"] == "registration" and s["rows"] == 2  # blank pre-numbered row and repeated header skipped
    assert s["unmapped"] == ["微信号", "序号"]
    assert found(r) == [("Sheet1", 5, "C5", "phone", "format.phone")]


def test_column_missing_once_per_sheet_and_duplicate_column(tmp_path):
    header = ["日期", "来店时间", "来店/来电", "客户姓名", "联系电话", "电话", "意向车型", "信息来源", "销售顾问"]
    row = [dt.date(2026, 11, 2), "10:00", "来店", "王先生", "13900000001", "13900000002", "卡罗拉", "路过", "李娜"]
    p = write_xlsx(tmp_path / "m.xlsx", {"S": [header, row, row[:4] + ["13900000003"] + row[5:]]})
    r = validate([p], as_of=AS_OF)
    assert found(r) == [("S", None, None, "level", "column.missing"), ("S", 1, "F1", "phone", "column.duplicate")]


def test_hidden_sheets_are_read(tmp_path):
    p = write_xlsx(tmp_path / "h.xlsx", {"A": [["x"]], "隐藏": [REG_HEADER, reg_row(phone="123")]}, hidden=("隐藏",))
    assert found(validate([p], as_of=AS_OF)) == [("隐藏", 2, "F2", "phone", "format.phone")]


TD_HEADER = ["试驾日期", "客户姓名", "年龄", "职业", "驾驶证号", "联系电话", "联系地址", "试驾车型", "客户签名", "陪同人", "销售顾问"]


def td_row(**over):
    import random

    birth = dt.date(1990, 5, 6)
    base = {"date": dt.date(2026, 11, 20), "name": "王先生", "age": 36, "job": "教师",
            "lic": id_number(random.Random(1), birth), "phone": "13812345678", "addr": "广州市天河区1号",
            "model": "凯美瑞", "csign": "王先生", "ssign": "李娜", "consultant": "李娜"}
    base.update(over)
    return list(base.values())


def test_test_drive_rules(tmp_path):
    import random

    minor = id_number(random.Random(2), dt.date(2010, 1, 1))
    rows = [TD_HEADER, td_row(), td_row(lic="440106199005061230"), td_row(lic=None), td_row(age=50),
            td_row(age=16.0), td_row(lic=minor, age=None), td_row(csign=None)]
    p = write_xlsx(tmp_path / "td.xlsx", {"试驾": rows})
    r = validate([p], as_of=AS_OF)
    assert found(r) == sorted([
        ("试驾", 3, "E3", "license_no", "format.id"), ("试驾", 3, "E3", "license_no", "testdrive.license"),
        ("试驾", 4, "E4", "license_no", "required"), ("试驾", 4, "E4", "license_no", "testdrive.license"),
        ("试驾", 5, "C5", "age", "testdrive.age"),
        ("试驾", 6, "C6", "age", "testdrive.age"),
        ("试驾", 7, "C7", "age", "required"), ("试驾", 7, "E7", "license_no", "testdrive.age"),
        ("试驾", 8, "I8", "customer_signed", "required"),
    ])
    messages = {(f.cell, f.rule): f.message for f in r.findings}
    assert "没有填写驾照号" in messages[("E4", "testdrive.license")]
    assert "440106199005061230」无效" in messages[("E3", "testdrive.license")]


def test_testdrive_missing_only_when_register_in_run(tmp_path):
    log = write_xlsx(tmp_path / "log.xlsx", {"登记": [
        REG_HEADER, reg_row(drive="是"), reg_row(drive="是", phone="13900000009", name="赵女士"),
        reg_row(drive="Y", phone=None, card="否", remark="不留电话", name="钱先生")]})
    assert found(validate([log], as_of=AS_OF)) == []
    td = write_xlsx(tmp_path / "td.xlsx", {"试驾": [TD_HEADER, td_row(phone=13812345678), td_row(name="钱先生", phone="13700000000")]})
    r = validate([log, td], as_of=AS_OF)
    assert found(r) == [("登记", 3, "K3", "test_drive", "testdrive.missing")]


def test_old_xls_and_ods(tmp_path):
    import pandas as pd
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("登记")
    datefmt = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, h in enumerate(REG_HEADER):
        ws.write(0, c, h)
    for r, row in enumerate([reg_row(phone=13812345678), reg_row(phone="1381234567")], start=1):
        for c, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write(r, c, v, datefmt)
            elif isinstance(v, dt.time):
                ws.write(r, c, v.strftime("%H:%M"))
            elif v is not None:
                ws.write(r, c, v)
    wb.save(str(tmp_path / "old.xls"))
    df = pd.DataFrame([reg_row(phone="13812345678"), reg_row(phone="1381234567", date="2026/11/5")], columns=REG_HEADER)
    df.to_excel(tmp_path / "log.ods", engine="odf", index=False, sheet_name="登记")
    r = validate([tmp_path / "old.xls", tmp_path / "log.ods"], as_of=AS_OF)
    assert [(f.path.rsplit("/", 1)[1], f.cell, f.rule) for f in r.findings] == [
        ("log.ods", "F3", "format.phone"), ("old.xls", "F3", "format.phone")]
    assert all(s["kind"] == "registration" for fr in r.files for s in fr.sheets)


def test_whitespace_only_row_is_blank_and_december_sheet_checked_in_january(tmp_path):
    rows = [REG_HEADER, reg_row(date="12月28日"), ["\u3000", None, None, None, " "], reg_row(date="12月5日")]
    p = write_xlsx(tmp_path / "dec.xlsx", {"12月": rows})
    r = validate([p], as_of=dt.date(2027, 1, 3))
    assert found(r) == [] and r.files[0].sheets[0]["rows"] == 2


def test_a_phone_left_needs_a_card_whatever_the_remark_says(tmp_path):
    rows = [REG_HEADER, reg_row(card="否", remark="未留微信"), reg_row(phone="13900000001", card="否", remark="客户未留意价格"),
            reg_row(phone=None, card="否", remark="客户不愿留电话")]
    p = write_xlsx(tmp_path / "r.xlsx", {"登记": rows})
    assert found(validate([p], as_of=AS_OF)) == [("登记", 2, "L2", "card", "card.required"),
                                                 ("登记", 3, "L3", "card", "card.required")]


def test_a_workbook_named_twice_is_read_once(tmp_path):
    p = write_xlsx(tmp_path / "r.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    r = validate([p, p, tmp_path, tmp_path / "." / "r.xlsx"], as_of=AS_OF)
    assert len(r.files) == 1 and [f.rule for f in r.findings] == ["format.phone"]
