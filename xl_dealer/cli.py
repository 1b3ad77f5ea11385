"""``xl-dealer``: a thin shell over the library functions of the same names.

Every line it prints is in one language: Chinese, or English with ``--lang en`` or
``XL_DEALER_LANG=en``, the help and usage errors included. It is built on argparse (not
typer) for that reason: typer's help panels, usage line and errors come from its vendored
click, in English, with no way to change them short of its internals; argparse lets us
write every one of those lines, and starts in a fraction of the time. rich still draws the
progress bar. Imports are lazy so ``xl-dealer --help`` stays instant.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from xl_dealer import __version__
from xl_dealer.model import language
from xl_dealer.model.language import said
from xl_dealer.model.text import text_width as _width  # columns a terminal gives a text

PROG = "xl-dealer"


class Exit(Exception):  # noqa: N818  (not an error: how a command ends with its code)
    """A command's exit code; ``run`` turns it into the process's."""

    def __init__(self, code: int) -> None:
        self.code = code


# ---------------------------------------------------------------- the parser, in the reader's language

# what argparse says of a bad command line, in Chinese (its own words are English); patterns
# compiled only when a command line is wrong (re keeps them): each run's start-up counts
_USAGE_ERRORS = (
    (r"the following arguments are required: (.*)", "缺少参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"argument (\S+): expected one argument", "{0} 后面要跟一个值"),
    (r"argument (\S+): expected at most one argument", "{0} 后面只能跟一个值"),
    (r"argument (\S+): ignored explicit argument '(.*)'", "{0} 不带值（多了「{1}」）"),
    (r"argument (\S+): invalid choice: '?([^' ]*)'? \(choose from (.*)\)", "{0}：没有「{1}」，可选：{2}"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 不明确，可能是：{1}"),
    (r"argument (\S+): not allowed with argument (\S+)", "{0} 不能与 {1} 同时使用"),
)


def _nearest(message: str) -> str:
    """``invalid choice: 'validte'``: the choice it most likely meant, as a hint ('' if none is close)."""
    import difflib

    m = re.search(r"invalid choice: '?([^' ]*)'? \(choose from (.*)\)", message)
    if not m:
        return ""
    close = difflib.get_close_matches(m[1], re.findall(r"'([^']+)'", m[2]), n=1, cutoff=0.6)
    return said(f"是不是 {close[0]}？", f"did you mean {close[0]}? ") if close else ""


def usage_error_zh(message: str) -> str:
    for pattern, zh in _USAGE_ERRORS:
        m = re.fullmatch(pattern, message.strip())
        if m:
            return zh.format(*(g.replace("command", "命令") for g in m.groups()))
    return message


_NO_LINE_START = set("，。、；：？！）」』》〉】”’,.;:?!)")
_NO_LINE_END = set("（「『《〈【“‘")


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns: Chinese breaks between any two characters (never
    before a closing mark such as 。 or ）), an English word only at a space; a line's own
    spacing is kept (textwrap counts characters, so Chinese ran twice as wide)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line, col = "", 0
        for token in re.findall(r"[A-Za-z0-9_./$<>|=:,()'\"-]+|\s+|.", para):
            w = _width(token)
            if token.isspace():
                if line.strip() and col + w <= width:
                    line, col = line + token, col + w
                elif not line:
                    line, col = token, w  # a line's own indent
                continue
            if col + w > width and line.strip() and token not in _NO_LINE_START:
                carry = ""  # an opening mark goes down with what it opens: （funnel）, never （ then funnel）
                while line.strip() and line[-1] in _NO_LINE_END:
                    line, carry = line[:-1], line[-1] + carry
                lines.append(line.rstrip())
                line, col = carry, _width(carry)
            line, col = line + token, col + w
        lines.append(line.rstrip())
    return lines


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's layout, measured in terminal columns, with our words for its own."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=90)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        # argparse passes prefix="" itself when it makes a sub-command's name: leave that alone
        super().add_usage(usage, actions, groups, prefix=said("用法：", "usage: ") if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:  # the help column measured in terminal columns (--period 期间)
            self._action_max_length = max(self._action_max_length,
                                          _width(self._format_action_invocation(action)) + self._current_indent)
        if isinstance(action, argparse._SubParsersAction):  # room for the longest command's name
            self._action_max_length = max(self._action_max_length,
                                          max((len(n) for n in action.choices), default=0) + 6)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any) -> str:
        # argparse wraps the usage by characters; its Chinese words (用法：, 日期, 文件) take two
        # columns each, so it is wrapped narrower by what they add
        width, self._width = self._width, self._width - 14
        try:
            return super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width = width

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width))

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):  # its own "命令" line repeats the heading
            text = text.split("\n", 1)[1] if "\n" in text else text
        invocation = self._format_action_invocation(action)
        extra = _width(invocation) - len(invocation)
        first, sep, rest = text.partition("\n")
        at = first.find(invocation)
        if extra and at >= 0:  # padded by characters: take the second column of each wide one back
            end = at + len(invocation)
            gap = len(first) - len(first[end:].lstrip(" ")) - end
            if gap - extra >= 2:
                first = first[:end] + " " * (gap - extra) + first[end + gap:]
        return first + sep + rest

    def format_help(self) -> str:
        # argparse ends a heading with an ASCII colon; a Chinese one takes the full-width one
        text = re.sub(r"^([^\s].*[\u4e00-\u9fff]):$", r"\1：", super().format_help(), flags=re.M)
        prefix = said("用法：", "usage: ")
        extra = _width(prefix) - len(prefix)
        if extra and text.startswith(prefix):  # the usage's wrapped lines line up under the command
            head, sep, rest = text.partition("\n\n")
            lines = head.split("\n")
            head = "\n".join([lines[0], *(" " * extra + ln if ln else ln for ln in lines[1:])])
            text = head + sep + rest
        return text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A bad command line: the usage, one line saying what is wrong and where help is, exit 2."""
        text = usage_error_zh(message) if language.current() == "zh" else message
        self.print_usage(sys.stderr)
        help_hint = said(f"（{_nearest(message)}{self.prog} -h 查看帮助）", f" ({_nearest(message)}see {self.prog} -h)")
        sys.stderr.write(f"{PROG}: {text}{help_hint}\n")
        raise Exit(2)


def _new_parser(prog: str, description: str, epilog: str | None = None) -> tuple[_Parser, Any, Any]:
    """A parser with its arguments and options under our own headings, and -h in our words."""
    p = _Parser(prog=prog, description=description, epilog=epilog, formatter_class=_Formatter, add_help=False)
    args = p.add_argument_group(said("参数", "arguments"))
    opts = p.add_argument_group(said("选项", "options"))
    opts.add_argument("-h", "--help", action="help", help=said("显示本帮助并退出", "show this help and exit"))
    return p, args, opts


def _paths(group: Any, required: bool = True) -> None:
    group.add_argument("paths", nargs="+" if required else "*", metavar=said("路径", "PATH"),
                       help=said("工作簿或文件夹（文件夹里的工作簿全部检查，含子文件夹）",
                                 "workbooks or folders of workbooks (sub-folders too)"))


def _as_of(group: Any) -> None:
    group.add_argument("--as-of", metavar=said("日期", "DATE"),
                       help=said("规则从哪一天算起：2026-11-27、2026/11/27 或 2026年11月27日；默认今天",
                                 "the day the rules count from (2026-11-27, 2026/11/27); default today"))


def _config(group: Any) -> None:
    group.add_argument("--config", metavar=said("文件", "FILE"),
                       help=said("店里的设置 dealer.toml（默认：当前文件夹的 dealer.toml 或 $XL_DEALER_CONFIG）",
                                 "dealer.toml (default: ./dealer.toml or $XL_DEALER_CONFIG)"))


def _lang(group: Any) -> None:
    group.add_argument("--lang", metavar="zh|en", help=said("显示语言：zh 中文（默认）或 en 英文；也可设环境变量 XL_DEALER_LANG",
                                                         "language: zh (default) or en; or set XL_DEALER_LANG"))


def _fail_on(group: Any, default: str) -> None:
    group.add_argument("--fail-on", default=default, metavar="error|warning|info|never",
                       help=said(f"有这一级（或更严重）的问题时退出码为 1：error 错误、warning 警告、info 提示、never 从不；默认 {default}",
                                 f"exit 1 when a finding at or above this severity: error, warning, info or never; default {default}"))


def _examples() -> str:
    """The top help's examples, each explanation in one column whatever the width of the command."""
    rows = said(
        "xl-dealer demo|写一套样例工作簿并检查;xl-dealer validate 来店登记.xlsx|检查一个工作簿;"
        "xl-dealer annotate 来店登记.xlsx|做一份标出问题的副本，改好后再检查一次;"
        "xl-dealer report 晨会日报 ./11月/|生成报表;xl-dealer templates|写空白模板",
        "xl-dealer demo|sample workbooks, checked;xl-dealer validate log.xlsx|check a workbook;"
        "xl-dealer annotate log.xlsx|a marked copy;xl-dealer report morning ./november/|a report;"
        "xl-dealer templates|empty templates")
    pairs = [r.split("|") for r in rows.split(";")]
    col = max(_width(c) for c, _ in pairs) + 3
    lines = [said("例如：", "Examples:")] + [f"  {c}{' ' * (col - _width(c))}{t}" for c, t in pairs]
    return "\n".join([*lines, said("每个命令加 -h 看它的说明。", "Add -h to any command for its help.")])


EXIT_CODES = {"zh": "退出码：0 没有达到 --fail-on 的问题；1 有；2 用法有误或有文件无法读取（原因写在标准错误输出）。",
              "en": "Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 bad usage or an unreadable input."}


def build_parser() -> _Parser:
    """The whole command line, in the current language."""
    zh = language.current() == "zh"
    top, _, opts = _new_parser(PROG, said(
        "汽车4S店Excel工作簿的检查与报表：来店登记、试驾、跟进卡、交车、客户信息卡、售后回访、快速处理表。",
        "Checks and summary sheets for car-dealership (4S店) Excel workbooks."),
        epilog=_examples())
    opts.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                      help=said("显示版本号并退出", "show the version and exit"))
    sub = top.add_subparsers(dest="command", title=said("命令", "commands"), metavar=said("命令", "COMMAND"),
                             parser_class=_Parser)

    def command(name: str, summary: str, description: str, epilog: str | None = None) -> tuple[Any, Any, Any]:
        p = sub.add_parser(name, help=summary, description=description, epilog=epilog,
                           formatter_class=_Formatter, add_help=False)
        args = p.add_argument_group(said("参数", "arguments"))
        o = p.add_argument_group(said("选项", "options"))
        o.add_argument("-h", "--help", action="help", help=said("显示本帮助并退出", "show this help and exit"))
        return p, args, o

    exit_text = EXIT_CODES["zh" if zh else "en"]
    _, a, o = command("validate", said("检查工作簿：必填项、格式、店规和跨表规则", "check workbooks"), said(
        "检查工作簿：必填项、格式、店里的规则，以及跨工作簿的规则（同时给出的工作簿一起检查）。",
        "Check workbooks: required fields, formats, the store's rules, and rules across workbooks."), exit_text)
    _paths(a)
    _as_of(o)
    _config(o)
    o.add_argument("--format", default="text", metavar="text|json",
                   help=said("输出：text 给人看（默认），json 给其他系统", "text (default) for people, json for other systems"))
    _fail_on(o, "error")
    _lang(o)
    o.add_argument("-j", "--jobs", metavar=said("个数", "N"),
                   help=said("用几个CPU（默认：其他程序空出来的那些，开始前测一下；1 = 一个）：文件夹用多个进程，一张大表分块同时读；结果不变",
                             "CPUs to use (default: those other programs leave idle, measured first; 1 = one); the result is the same"))

    from xl_dealer.reports import REPORTS, choices_text

    _, a, o = command("report", said("生成管理报表（格式化的工作表和 JSON）", "build a manager report"), said(
        "从工作簿生成管理报表：格式化的工作表（可打印、带图表），也可以输出 JSON。",
        "Build a manager report (a formatted sheet) from workbooks; all writes every report into one workbook."),
        said("退出码：0 已生成；2 用法有误、有文件无法读取，或输入里没有报表需要的内容（什么都不写）。",
             "Exit codes: 0 written; 2 bad usage, an unreadable input or nothing that feeds the report (nothing written)."))
    a.add_argument("name", metavar=said("报表", "NAME"), help=said(
        f"报表名，中文或英文：{choices_text()}",
        f"{', '.join(REPORTS)}, or all"))
    _paths(a)
    _as_of(o)
    o.add_argument("--out", metavar=said("文件", "FILE"),
                   help=said("写到这个 xlsx（默认：当前文件夹的 报表名_日期.xlsx，如 周回访报表_2026-11-30.xlsx；全部为 全部报表_日期.xlsx）", "xlsx to write (default ./NAME_ASOF.xlsx)"))
    o.add_argument("--json", dest="json_path", metavar=said("文件", "FILE"),
                   help=said("同时把报表数据写成 JSON（- 表示输出到屏幕）", "also write the report data as JSON (- for stdout)"))
    o.add_argument("--period", metavar=said("期间", "PERIOD"), help=said(
        "统计期间（最近一个完整的）：day 日、week 周、month 月、quarter 季度、half 半年、year 年（用于销售漏斗、销售总结、"
        "战败分析、邀约到店、周回访报表、月度满意度、客户流失）",
        "day, week, month, quarter, half or year: the last complete one (funnel, sales, lost, invites, weekly, monthly, churn)"))
    _config(o)
    _lang(o)

    _, a, o = command("annotate", said("做标记副本：问题单元格涂色加批注，附「校验结果」表", "write marked copies"), said(
        "为每个 .xlsx/.xlsm 写一份标记副本（原名.checked.xlsx）：有问题的单元格涂色并加批注，另加一张「校验结果」表，"
        "点击可跳到单元格。原文件不会改动。",
        "Write a marked copy of each .xlsx/.xlsm (<name>.checked.xlsx): bad cells filled, a note on each, a 校验结果 "
        "sheet. The source files are never changed."),
        said("退出码：0 副本都已写出（且没有达到 --fail-on 的问题，默认 never）；1 有达到 --fail-on 的问题；2 有文件无法读取或标记。",
             "Exit codes: 0 every copy written; 1 findings at or above --fail-on; 2 a file could not be read or marked."))
    _paths(a)
    o.add_argument("--out", metavar=said("文件夹", "FOLDER"),
                   help=said("副本写到这个文件夹（默认：写在每个工作簿旁边）", "folder for the marked copies (default: beside each workbook)"))
    _as_of(o)
    _config(o)
    _fail_on(o, "never")
    _lang(o)

    _, a, o = command("demo", said("写一套带典型错误的样例工作簿，检查并生成报表", "write sample workbooks and check them"), said(
        "写一套逼真的样例工作簿（含一个月的典型错误），检查它们，生成全部报表，并说明文件在哪里。",
        "Write realistic sample workbooks (with a month's typical mistakes), check them, and say where everything is."))
    a.add_argument("out", nargs="?", default="xl-dealer-demo", metavar=said("文件夹", "FOLDER"),
                   help=said("写到这个文件夹（默认 xl-dealer-demo）", "folder for the samples (default xl-dealer-demo)"))
    _as_of(o)
    _lang(o)

    _, a, o = command("templates", said("写空白模板：表头、下拉列表和 xlwings 设置", "write empty templates"), said(
        "每种工作簿写一个空白模板：表头、下拉列表、格式、说明页和 xlwings 设置页。已有的、填过数据的工作簿不会被覆盖。",
        "Write an empty workbook per kind: headers, drop-down lists, formats, 说明 and the xlwings sheet."))
    a.add_argument("out", nargs="?", default=None, metavar=said("文件夹", "FOLDER"),
                   help=said("写到这个文件夹（默认 workbooks）", "folder for the templates (default workbooks)"))
    _config(o)
    _lang(o)

    _, a, o = command("rules", said("列出规则编号和默认级别", "list the rules"), said(
        "列出每条规则的编号、默认级别和说明（--markdown：README 里的规则和各类工作簿的列）。",
        "List the rule ids with their default severities (and, with --markdown, every workbook kind's columns)."))
    o.add_argument("--markdown", action="store_true", help=said("输出 README 的规则目录（Markdown）", "the README's catalogue section"))
    _lang(o)

    _, a, o = command("config", said("显示生效的设置（默认值加 dealer.toml）", "print the effective configuration"), said(
        "把生效的设置（默认值合并 dealer.toml）以 TOML 打印出来，可复制后修改。",
        "Print the effective configuration (defaults merged with dealer.toml) as TOML."))
    _config(o)
    _lang(o)
    return top


# ---------------------------------------------------------------- helpers


def dumps(data: object) -> str:
    """JSON for machines: compact (the C encoder; indent= makes it pure Python and 10x slower),
    indented only when a person is looking at a terminal."""
    # allow_nan=False: a value json_value let through as inf would be "Infinity", which no JSON reader takes
    import json  # a text run never needs it

    if sys.stdout.isatty():
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def echo(text: str = "", err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")


def _fail(msg: str) -> NoReturn:
    """A bad input or usage: one line on stderr, exit 2, never a traceback."""
    _err(msg)
    raise Exit(2)


def _err(msg: str) -> None:
    """One line on stderr: a path or a value holding a line break or ESC cannot forge another."""
    from xl_dealer.model.text import escape_terminal

    echo(f"{PROG}: {escape_terminal(msg)}", err=True)


def _load(config_file: str | None, lang: str | None, as_of: str | None) -> Any:
    """The config, with ``--as-of`` checked here so a bad date is one line before anything is read."""
    from xl_dealer.model.config import load_config
    from xl_dealer.model.errors import InputError

    if lang not in (None, "zh", "en"):
        _fail(said(f"--lang 只能是 zh 或 en，不能是 {lang!r}", f"--lang must be zh or en, not {lang!r}"))
    try:
        cfg = load_config(config_file, lang=lang)
        if as_of is not None:
            from xl_dealer.validate import as_of_day

            as_of_day(as_of, cfg)
        language.set_language(cfg.lang)  # dealer.toml's lang = "en" speaks for the rest of the run
        return cfg
    except InputError as e:
        _fail(str(e))


def _check_fail_on(fail_on: str) -> None:
    from xl_dealer.rules.result import FAIL_ON

    if fail_on not in FAIL_ON:
        _fail(said(f"--fail-on 只能是 {'、'.join(FAIL_ON)} 之一，不能是 {fail_on!r}",
                   f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}"))


def _with_progress(total: int, call: Callable[[Callable[[str], None] | None], Any]) -> Any:
    """``call(step)`` with a progress bar over ``total`` files (none when not a terminal)."""
    bar, step = _progress(total)
    try:
        return call(step)
    finally:
        if bar:
            bar.stop()


def _progress(total: int) -> tuple[Any, Callable[[str], None] | None]:
    """A rich progress bar on stderr for folders; nothing when stderr is not a terminal."""
    if total < 2 or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(said("检查中", "checking"), total=total)
    bar.start()

    def step(path: str) -> None:
        bar.update(task, advance=1, description=Path(path).name[:40])

    return bar, step


# ---------------------------------------------------------------- the commands


def validate(ns: argparse.Namespace) -> int:
    if ns.format not in ("text", "json"):
        _fail(said(f"--format 只能是 text 或 json，不能是 {ns.format!r}", f"--format must be text or json, not {ns.format!r}"))
    _check_fail_on(ns.fail_on)
    jobs = None
    if ns.jobs is not None:
        try:
            jobs = int(ns.jobs)
        except ValueError:
            jobs = 0
        if jobs < 1:
            _fail(said(f"--jobs 必须是 1 或更大的整数，不能是 {ns.jobs}", f"--jobs must be 1 or more, not {ns.jobs}"))
    cfg = _load(ns.config, ns.lang, ns.as_of)
    from xl_dealer.read.inputs import collect_files
    from xl_dealer.validate import validate as run

    # the folders are walked again for the bar's total only when someone watches it
    n = len(collect_files(ns.paths)) if sys.stderr.isatty() else 0
    result = _with_progress(n, lambda step: run(ns.paths, as_of=ns.as_of, config=cfg, progress=step, jobs=jobs))
    if not result.files:  # a scheduler pointed at the wrong or an empty folder must not see success
        _fail(said(f"没有找到工作簿：{'、'.join(map(str, ns.paths))}", f"no workbooks found in {', '.join(map(str, ns.paths))}"))
    for fr in result.errors:
        _err(f"{fr.path}: {fr.error}")
    if ns.format == "json":
        echo(dumps(result.to_json()))
    else:
        from xl_dealer.render.text import render_text

        echo(render_text(result, cfg.lang))
    return result.exit_code(ns.fail_on)


def report(ns: argparse.Namespace) -> int:
    from xl_dealer.model.errors import InputError
    from xl_dealer.report import check_period, default_out, to_json
    from xl_dealer.report import report as run
    from xl_dealer.reports import REPORTS, choices_text, report_key

    name = report_key(ns.name)
    if name != "all" and name not in REPORTS:
        _fail(said(f"没有「{ns.name}」这个报表，可选：{choices_text()}",
                   f"unknown report {ns.name!r}; choose one of: {', '.join(REPORTS)}, all"))
    try:
        check_period(name, ns.period)
    except InputError as e:
        _fail(str(e))
    cfg = _load(ns.config, ns.lang, ns.as_of)
    to_stdout = ns.json_path is not None and str(ns.json_path) == "-"
    try:
        reports = run(name, ns.paths, as_of=ns.as_of, config=cfg, out=ns.out, json_path=ns.json_path, period=ns.period)
    except InputError as e:
        _fail(str(e))
    for r in reports:  # what is missing goes to the scheduler's log too, not only onto the sheet
        for note in r.notes:
            _err(f"{r.sheet}: {note}")
    if to_stdout:
        import json

        echo(json.dumps(to_json(reports, name != "all"), ensure_ascii=False, indent=2, allow_nan=False))
    if ns.out is not None or ns.json_path is None:
        written = ns.out or default_out(name, reports)
        echo(f"{written}  ({', '.join(r.sheet for r in reports)})", err=to_stdout)
    return 0


def rules(ns: argparse.Namespace) -> int:
    from xl_dealer.render.catalogue import catalogue_markdown

    if ns.markdown:
        echo(catalogue_markdown())
        return 0
    from xl_dealer.model.catalogue import RULES

    if language.current() == "en":
        for r in RULES.values():
            echo(f"{r.id:<26} {r.severity:<8} {r.what}")
        return 0
    levels = {"error": "错误", "warning": "警告", "info": "提示"}
    for r in RULES.values():  # the Chinese name as 校验结果 shows it; what it checks in English: --lang en
        echo(f"{r.id:<26} {levels.get(r.severity, r.severity)}{' ' * 4}{r.name}")
    echo("（每条规则的详细说明：xl-dealer rules --lang en，或 README 的规则目录）")
    return 0


def annotate(ns: argparse.Namespace) -> int:
    _check_fail_on(ns.fail_on)
    cfg = _load(ns.config, ns.lang, ns.as_of)
    from xl_dealer.annotate import annotate as run
    from xl_dealer.annotate import input_files
    from xl_dealer.model.text import escape_terminal

    where = (said(f"标记副本写到文件夹 {ns.out}，原文件不会改动。", f"Marked copies go to {ns.out}; the sources are not changed.")
             if ns.out else said("标记副本写在每个工作簿旁边（原名.checked.xlsx），原文件不会改动。",
                                 "Marked copies go beside each workbook (<name>.checked.xlsx); the sources are not changed."))
    echo(where)
    result = _with_progress(len(input_files(ns.paths)),
                            lambda step: run(ns.paths, out=ns.out, as_of=ns.as_of, config=cfg, progress=step))
    from xl_dealer.render.results import not_run_text

    untold = not_run_text(result.validation.not_run(), cfg.lang)
    if untold:  # before the copies, so the last line still names the last copy
        echo(untold)
    for af in result.files:
        if af.error:
            _err(f"{af.path}: {af.error}")
        elif af.skipped and not af.out:
            echo(said(f"{escape_terminal(af.path)}：{af.skipped}", f"{escape_terminal(af.path)}: {af.skipped}"))
        elif af.out:
            out_name = escape_terminal(af.out)
            echo(said(f"{out_name}：{af.findings} 条问题，标记了 {af.cells} 个单元格",
                      f"{out_name}: {af.findings} findings, {af.cells} cells marked"))
    return result.exit_code(ns.fail_on)


def show_config(ns: argparse.Namespace) -> int:
    cfg = _load(ns.config, ns.lang, None)
    from xl_dealer.model.config import to_toml

    echo(to_toml(cfg))
    return 0


def demo(ns: argparse.Namespace) -> int:
    cfg = _load(None, ns.lang, ns.as_of)
    from xl_dealer.demo import demo as run

    run(ns.out, as_of=ns.as_of, config=cfg, echo=echo)
    return 0


def templates(ns: argparse.Namespace) -> int:
    cfg = _load(ns.config, ns.lang, None)
    from xl_dealer.templates import templates as run

    out = ns.out or "workbooks"
    echo(said(f"在文件夹 {Path(out).resolve()} 写空白模板（已填过数据的工作簿不会被覆盖）：",
              f"Writing empty templates into {Path(out).resolve()} (a filled workbook is never replaced):"))
    for p in run(out, config=cfg):
        echo(str(p))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": validate, "report": report, "rules": rules, "annotate": annotate,
    "config": show_config, "demo": demo, "templates": templates,
}


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the command line) and run the command; returns the exit code.

    An input or output problem anywhere is one line on stderr and exit 2."""
    from xl_dealer.model.errors import InputError

    args = list(sys.argv[1:] if argv is None else argv)
    language.set_language(language.from_command_line(args))
    parser = build_parser()
    try:
        if not args:
            parser.print_help()
            return 2
        ns = parser.parse_args(args)
        if ns.command is None:
            parser.print_help()
            return 2
        return COMMANDS[ns.command](ns)
    except Exit as e:
        return e.code
    except SystemExit as e:  # -h and --version end here
        return e.code if isinstance(e.code, int) else 0
    except InputError as e:
        _err(str(e))
        return 2
    except BrokenPipeError:  # `xl-dealer rules | head`: the reader has what it wanted
        return 0
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        _err(f"{where}{e.strerror or e}")
        return 2
    except KeyboardInterrupt:
        _err(said("已中断", "interrupted"))
        return 130


def main() -> None:
    sys.exit(_flushed(run()))


def _flushed(code: int) -> int:
    """Flush stdout here, where a failure can still be told in one line: left to the interpreter's
    exit, a full disk or a closed pipe prints an "Exception ignored ... OSError" traceback."""
    import os

    try:
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `xl-dealer validate … | head`: the reader has what it wanted
        result = code
    except OSError as e:
        _err(said(f"无法写出结果（{e.strerror or e}）", f"cannot write the output ({e.strerror or e})"))
        result = 2
    try:  # nothing more can be written there: let the exit's own flush go nowhere
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return result


if __name__ == "__main__":
    main()
