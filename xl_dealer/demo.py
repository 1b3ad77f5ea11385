"""``demo``: sample workbooks from nothing, every output, and where everything is."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from xl_dealer.model.config import Config, load_config
from xl_dealer.model.language import said, speaks
from xl_dealer.model.text import text_width
from xl_dealer.render.outputs import write_text

INSTRUCTIONS = """填表说明
1. 每位来店或来电客户登记一行，带 * 的列必须填写。
2. 客户留下电话的，必须当天建卡（是否建卡填“是”）；客户不留电话的，在备注写“不留电话”。
3. 信息来源、意向级别请从下拉列表选择。"""


@speaks
def demo(out: str | Path = "xl-dealer-demo", *, as_of: dt.date | str | None = None,
         config: Config | None = None, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """Write the sample workbooks into ``out``, validate them, and return the paths written."""
    from xl_dealer.render.text import render_text
    from xl_dealer.samples import generate, write_workbook
    from xl_dealer.samples.common import by_month
    from xl_dealer.samples.delivery import generate_delivery
    from xl_dealer.samples.followup import generate_followup
    from xl_dealer.samples.maintenance import generate_maintenance_list
    from xl_dealer.samples.service import generate_after_service, generate_service_history
    from xl_dealer.validate import as_of_day, validate

    config = config or load_config()
    day = as_of_day(as_of, config)
    out = Path(out)
    _refuse_others(out)
    out.mkdir(parents=True, exist_ok=True)
    # two months, so the sales reports have the month before beside the last one
    reg, td = generate(days=61, per_day=10, end=day, seed=7)
    # the log covers both months too (orders, losses and invitations of each); plants card.missing onto reg first
    cards, log = generate_followup(reg, day, config=config, log_days=50)
    callbacks, cases = generate_after_service(day, config=config)
    history = generate_service_history(day, config=config)  # churn, reminders and the trend need months
    # the delivery step ties them: plants card.not_closed on the cards, customer.unknown on the callbacks
    deliveries, customer_file = generate_delivery(day, cards, callbacks, history, config=config)
    # the information clerk's 定期保养一览表: letters sent, phone reminders and their results
    maintenance = generate_maintenance_list(day, callbacks, history, config=config)
    paths = {
        "registration": out / "showroom_log.xlsx",
        "test_drive": out / "test_drives.xlsx",
        "followup": out / "followups.xlsx",
        "after_service": out / "after_service.xlsx",
        "delivery": out / "deliveries.xlsx",
        "customer_file": out / "customer_file.xlsx",
        "maintenance": out / "maintenance_list.xlsx",
    }
    write_workbook(paths["registration"], by_month(reg, day), instructions=INSTRUCTIONS, generated="demo")  # a sheet per month
    write_workbook(paths["test_drive"], [td], generated="demo")
    write_workbook(paths["followup"], [cards, log], generated="demo")
    # a sheet per calendar month, named for the month its rows are in (run on the 15th: 11月 and 12月)
    write_workbook(paths["after_service"], [*_months(callbacks, day, "called", "回访"), history, cases], generated="demo")
    write_workbook(paths["delivery"], _months(deliveries, day, "delivered", "交车"), generated="demo")
    write_workbook(paths["customer_file"], [customer_file], generated="demo")
    write_workbook(paths["maintenance"], [maintenance], generated="demo")
    result = validate(list(paths.values()), as_of=day, config=config)
    write_text(out / "findings.json", json.dumps(result.to_json(), ensure_ascii=False, indent=2, allow_nan=False))
    paths["findings"] = out / "findings.json"
    paths["reports"] = write_reports(out, [p for p in paths.values() if p.suffix == ".xlsx"], day, config)
    hint = (f" (all of them: {out / 'findings.json'}, or xl-dealer validate {out})" if config.lang == "en"
            else f"（全部见 {out / 'findings.json'}，或运行 xl-dealer validate {out}）")
    echo(render_text(result, config.lang, limit=8, more_hint=hint))
    echo("")
    echo(f"样例工作簿和结果在 {out.resolve()}：" if config.lang != "en" else f"Sample workbooks and outputs in {out.resolve()}:")
    labels = {k: LABELS[k][config.lang == "en"] for k in paths}
    col = max(text_width(v) for v in labels.values()) + 2
    for key, p in paths.items():
        echo(f"  {labels[key]}{' ' * (col - text_width(labels[key]))}{p}")
    echo("")
    for line in next_steps(out, paths, config.lang):
        echo(line)
    return paths


# what each written file is, as the demo's listing names it (zh, en)
LABELS: dict[str, tuple[str, str]] = {
    "registration": ("来店(来电)客户登记表", "visitor log"), "test_drive": ("试乘试驾登记表", "test drives"),
    "followup": ("客户跟进卡和跟进记录", "follow-up cards and log"),
    "after_service": ("售后回访记录和快速处理表", "after-service calls and complaints"),
    "delivery": ("交车登记表", "delivery register"), "customer_file": ("客户信息卡", "customer file"),
    "maintenance": ("定期保养一览表", "maintenance list"), "findings": ("检查结果（JSON）", "findings (JSON)"),
    "reports": ("全部报表", "every report"),
}


def next_steps(out: Path, paths: dict[str, Path], lang: str) -> list[str]:
    """What to try after the demo, as commands to copy (paths quoted when they hold a space)."""
    q = lambda p: f'"{p}"' if " " in str(p) else str(p)  # noqa: E731
    folder = q(out)
    copy_name = paths["registration"].stem + ".checked.xlsx"
    if lang == "en":
        head, steps = "Next, try:", [
            (f"xl-dealer annotate {folder}", f"a marked copy of each workbook, checked together (rules across "
                                              f"workbooks too): open {copy_name}, 校验结果 first"),
            (f"xl-dealer annotate {folder}", "again after fixing cells in a copy and saving it: the copy is checked "
                                              "instead of its workbook"),
            (f"xl-dealer report morning {folder}", f"yesterday's 晨会日报 (report all {folder}: every report)")]
    else:
        head, steps = "接下来可以试试：", [
            (f"xl-dealer annotate {folder}", f"每个工作簿一起检查、各做一份标记副本（跨表的问题也标出），打开 {copy_name} 先看「校验结果」"),
            (f"xl-dealer annotate {folder}", "在副本里改好、保存后，再运行一次：改过的副本代替原表检查，标记按新内容更新"),
            (f"xl-dealer report 晨会日报 {folder}", f"昨天的晨会日报（xl-dealer report 全部 {folder}：全部报表）")]
    col = max(text_width(c) for c, _ in steps) + 3  # each explanation in one column
    return [head, *(f"  {c}{' ' * (col - text_width(c))}{t}" for c, t in steps)]


def _months(sheet, day: dt.date, key: str, suffix: str) -> list:  # noqa: ANN001
    """``sheet`` cut into calendar months, each named as a store names them (11月回访)."""
    from xl_dealer.samples.common import by_month

    months = by_month(sheet, day - dt.timedelta(days=1), key)
    for m in months:
        m.name = m.name.split("年", 1)[-1] + suffix
    return months


OUTPUTS = {"showroom_log.xlsx": "demo", "test_drives.xlsx": "demo", "followups.xlsx": "demo",
           "after_service.xlsx": "demo", "maintenance_list.xlsx": "demo", "findings.json": "demo",
           "reports.xlsx": "report"}


def _refuse_others(out: Path) -> None:
    """``demo DIR`` writes its own files only: a folder holding a clerk's workbook or anything else
    of one of these names is left alone, with nothing written."""
    from xl_dealer.model.errors import InputError
    from xl_dealer.render.outputs import ours

    if out.exists() and not out.is_dir():
        raise InputError(str(out), said("不是文件夹：演示要写进一个文件夹", "not a folder: the demo is written into a folder"))
    kept = [name for name, kind in OUTPUTS.items() if (out / name).exists() and not ours(out / name, (kind,))]
    if kept:
        names = "、".join(kept)
        raise InputError(str(out), said(f"{names} 已存在，不是 xl-dealer 演示写的，不会覆盖：请换一个文件夹", f"{names} exist and were not written by xl-dealer demo: nothing written, choose another folder"))


def write_reports(out: Path, workbooks: list[Path], day: dt.date, config: Config) -> Path:
    """Every manager report from the sample workbooks, one sheet each, into ``out/reports.xlsx``."""
    from xl_dealer.report import report

    target = out / "reports.xlsx"
    report("all", workbooks, as_of=day, config=config, out=target)
    return target
