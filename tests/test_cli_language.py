"""The command line speaks the user's language: Chinese by default, English when asked, one
language a line, the help and usage errors included (issue 18)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.cli_runner import invoke
from tests.helpers import REG_HEADER, reg_row, write_xlsx
from xl_dealer import __version__
from xl_dealer.cli import usage_error_zh

COMMANDS = ("validate", "report", "annotate", "demo", "templates", "rules", "config")
CJK = re.compile(r"[\u4e00-\u9fff]")
# what a help page shows when it speaks English, or speaks a library's English to a Chinese reader
ENGLISH_HEADINGS = re.compile(r"^(usage|options|arguments|positional arguments|commands)\s*:", re.M | re.I)


def both_languages(line: str) -> bool:
    """A line that says the same thing twice, 中文 / English, as lines used to."""
    return bool(re.search(r"[\u4e00-\u9fff][^/]* / [A-Za-z]{3,}", line))


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese_by_default_and_english_on_request(command):
    args = [command, "-h"] if command else ["-h"]
    zh = invoke([a for a in args if a])
    assert zh.exit_code == 0
    assert zh.stdout.startswith("用法：xl-dealer")
    assert "选项：" in zh.stdout and not ENGLISH_HEADINGS.search(zh.stdout)
    assert "show this" not in zh.stdout and "<bool>" not in zh.stdout and "<str>" not in zh.stdout
    en = invoke([*(a for a in args if a), "--lang", "en"])
    assert en.exit_code == 0 and en.stdout.startswith("usage: xl-dealer") and "options:" in en.stdout
    assert "选项" not in en.stdout and "用法" not in en.stdout


def test_the_environment_chooses_english_too(monkeypatch):
    monkeypatch.setenv("XL_DEALER_LANG", "en")
    assert invoke(["validate", "-h"]).stdout.startswith("usage:")


def test_help_lines_fit_a_terminal_by_their_width_not_their_characters():
    """Chinese takes two columns a character: wrapped by characters, every line ran twice as wide."""
    import unicodedata

    for command in COMMANDS:
        for line in invoke([command, "-h"]).stdout.splitlines():
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            assert width <= 100, (command, line)


def test_usage_errors_are_one_chinese_line_after_the_usage():
    res = invoke(["report"])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("用法：") and "缺少参数" in lines[-1] and "required" not in res.stderr
    res = invoke(["validate", "--bogus", "x.xlsx"])
    assert res.exit_code == 2 and "无法识别的参数：--bogus" in res.stderr
    res = invoke(["validate", "--bogus", "x.xlsx", "--lang", "en"])
    assert res.exit_code == 2 and "unrecognized arguments: --bogus" in res.stderr and not CJK.search(res.stderr)


def test_argparse_messages_we_translate():
    assert usage_error_zh("the following arguments are required: 报表, 路径") == "缺少参数：报表, 路径"
    assert usage_error_zh("argument --as-of: expected one argument") == "--as-of 后面要跟一个值"
    assert usage_error_zh("argument 命令: invalid choice: 'valdate' (choose from 'validate', 'report')") == \
        "命令：没有「valdate」，可选：'validate', 'report'"
    assert usage_error_zh("something else") == "something else"


def test_version():
    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == f"xl-dealer {__version__}"


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "登记.xlsx", {"11月": [REG_HEADER, reg_row(phone="1381234567")]})


@pytest.mark.parametrize("day", ["2026/11/27", "2026年11月27日", "2026.11.27", "20261127", "２０２６-１１-２７"])
def test_as_of_is_accepted_as_the_cells_have_it(book, day):
    iso = invoke(["validate", book, "--as-of", "2026-11-27", "--format", "json"])
    other = invoke(["validate", book, "--as-of", day, "--format", "json"])
    assert other.exit_code == iso.exit_code == 1
    assert json.loads(other.stdout) == json.loads(iso.stdout)
    assert json.loads(other.stdout)["as_of"] == "2026-11-27"


@pytest.mark.parametrize("day", ["2026-13-01", "明天", "11月27日"])
def test_a_bad_as_of_is_one_line_in_chinese(book, day):
    res = invoke(["validate", book, "--as-of", day])
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "不是日期" in res.stderr and "--as-of" in res.stderr


def test_reports_and_periods_are_named_in_chinese_too(tmp_path, book):
    by_key = invoke(["report", "funnel", book, "--as-of", "2026-12-03", "--json", "-"])
    by_name = invoke(["report", "销售漏斗", book, "--as-of", "2026-12-03", "--json", "-"])
    assert by_key.exit_code == by_name.exit_code == 0
    a, b = json.loads(by_key.stdout), json.loads(by_name.stdout)
    a.pop("as_of"), b.pop("as_of")
    assert a == b and a["report"] == "funnel"
    quarter = invoke(["report", "销售漏斗", book, "--as-of", "2027-01-05", "--period", "季度", "--json", "-"])
    assert quarter.exit_code == 0 and json.loads(quarter.stdout)["period"] == {"start": "2026-10-01", "end": "2026-12-31"}
    unknown = invoke(["report", "日报表", book])
    assert unknown.exit_code == 2 and "没有「日报表」这个报表" in unknown.stderr and "晨会日报（morning）" in unknown.stderr


def test_every_line_of_a_bad_run_is_in_one_language(tmp_path, book):
    """Unreadable, missing, empty, locked and skipped inputs beside a good one: each line once, in Chinese."""
    (tmp_path / "坏.xlsx").write_bytes(b"not a zip")
    (tmp_path / "~$登记.xlsx").write_bytes(b"\x00")
    write_xlsx(tmp_path / "空.xlsx", {"Sheet1": []})
    res = invoke(["validate", tmp_path, tmp_path / "没有.xlsx", "--as-of", "2026-11-27"])
    assert res.exit_code == 2
    for line in res.output.splitlines():
        assert not both_languages(line), line
    assert "文件不存在" in res.stderr and "锁定文件" in res.stdout
    en = invoke(["validate", tmp_path, tmp_path / "没有.xlsx", "--as-of", "2026-11-27", "--lang", "en"])
    for line in en.output.splitlines():
        assert not both_languages(line), line
    assert "file not found" in en.stderr and "lock file" in en.stdout


def test_annotate_and_templates_say_what_they_will_do(tmp_path, book):
    res = invoke(["annotate", book, "--as-of", "2026-11-27"])
    assert res.exit_code == 0 and res.stdout.startswith("标记副本写在每个工作簿旁边") and "原文件不会改动" in res.stdout
    res = invoke(["templates", tmp_path / "模板"])
    assert res.exit_code == 0 and res.stdout.startswith("在文件夹") and "写空白模板" in res.stdout


@pytest.mark.parametrize("toml, zh, en", [
    ('[aliases]\nphnoe = ["本人号码"]\n', "[aliases] 下没有字段「phnoe」", "unknown field 'phnoe' under [aliases]"),
    ('[severity]\nduplicate = "off"\n', "severity.duplicate：只能是 'error', 'warning' 或 'info'",
     "severity.duplicate: Input should be 'error', 'warning' or 'info'"),
    ('followup_daily_target = -1\n', "followup_daily_target：不能小于 0", "greater than or equal to 0"),
    ('callback_days = "三"\n', "callback_days：应为整数", "valid integer"),
    ('followpu_daily_target = 6\n', "followpu_daily_target：没有这个设置项", "Extra inputs are not permitted"),
    ('[[campaigns]]\nname = "冬检"\nstart = 2026-12-07\nend = 2026-12-01\n', "结束日 2026-12-01 早于开始日 2026-12-07",
     "end 2026-12-01 is before start 2026-12-07"),
    # the tables (levels, limits, targets, campaigns) are dataclasses: worded as the top level's keys are
    ('[limits]\nsplit_mbb = 3\n', "limits.split_mbb：没有这个设置项", "limits.split_mbb: Extra inputs are not permitted"),
    ('[[campaigns]]\nname = "冬检"\n', "campaigns.0.start：缺少这一项", "campaigns.0.start: Field required"),
    ('[levels]\nA = 3\n', "levels.A：应为表格", "levels.A: Input should be a valid dictionary or instance of Level"),
    ('[targets.per_consultant.wang]\norders = -1\n', "targets.per_consultant.wang.orders：不能小于 0",
     "targets.per_consultant.wang.orders: Input should be greater than or equal to 0"),
    # what a Chinese IT person types by mistake: no brackets, full-width quotes, a Chinese key
    ('[aliases]\ncustomer = "来宾"\n', "aliases.customer：应为列表", "aliases.customer"),
    ('[aliases]\ncustomer = [“来宾”]\n', "配置文件的写法不对（第2行第13个字符）：引号要用英文半角", "not valid TOML"),
    ('[aliases]\n顾客 = ["来宾"]\n', "配置文件的写法不对（第2行第1个字符）", "not valid TOML"),
])
def test_a_bad_dealer_toml_is_told_in_the_users_language(tmp_path, toml, zh, en):
    """The store's IT person reads which key is wrong and why, in Chinese: never pydantic's English."""
    book = tmp_path / "登记.xlsx"
    write_xlsx(book, {"登记": [REG_HEADER, reg_row()]})
    (tmp_path / "dealer.toml").write_text(toml, encoding="utf-8")
    cfg = ["--config", str(tmp_path / "dealer.toml")]
    r = invoke(["validate", str(book), *cfg])
    assert r.exit_code == 2 and zh in r.stderr and r.stderr.count("aliases.customer") <= 1, r.stderr
    assert not re.search(r"Input should|Extra inputs|Value error|valid integer", r.stderr)
    r = invoke(["validate", str(book), *cfg, "--lang", "en"])
    assert r.exit_code == 2 and en in r.stderr and not CJK.search(r.stderr), r.stderr


def test_a_dealer_toml_saved_by_notepad_as_ansi_says_how_to_save_it(tmp_path):
    book = tmp_path / "登记.xlsx"
    write_xlsx(book, {"登记": [REG_HEADER, reg_row()]})
    (tmp_path / "dealer.toml").write_bytes('[aliases]\ncustomer = ["来宾"]\n'.encode("gbk"))
    r = invoke(["validate", str(book), "--config", str(tmp_path / "dealer.toml")])
    assert r.exit_code == 2 and "不是 UTF-8 编码" in r.stderr and "另存为" in r.stderr and "codec" not in r.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_help_texts_start_in_one_column_and_no_line_ends_on_an_opening_mark(command):
    """Measured in terminal columns (a Chinese character takes two): --period 期间 lines up with --out 文件."""
    from xl_dealer.cli import _width

    text = invoke([command, "-h"]).stdout
    starts = set()
    for line in text.splitlines():
        m = re.match(r"^(  -\S.*?\S)( {2,})(\S.*)$", line)  # an option and its help on one line
        if m:
            starts.add(_width(m.group(1)) + len(m.group(2)))
        assert not re.search(r"[（「《“]$", line), line
    assert len(starts) == 1, (command, starts)


@pytest.mark.parametrize("command", ["rules", "config"])
def test_rules_and_config_speak_one_language(command):
    """A Chinese reader gets no English sentence from `rules` (their names) or `config` (its comments)."""
    zh = invoke([command]).stdout.splitlines()
    english = re.compile(r"\b[a-z]{3,} [a-z]{3,} [a-z]{3,}\b")  # three English words: a sentence
    assert zh and not [ln for ln in zh if english.search(ln) and not ln.lstrip().startswith(("[", '"'))
                       and "=" not in ln.split("#")[0]]
    assert not [ln for ln in invoke([command, "--lang", "en"]).stdout.splitlines() if ln.startswith("#") and CJK.search(ln)]


def test_a_closed_pipe_is_not_an_error():
    """`xl-dealer rules | head -1`: the reader went away before we wrote; nothing to say about it."""
    p = subprocess.Popen([sys.executable, "-m", "xl_dealer.cli", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # closed before the interpreter has even started: every write meets a closed pipe
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0 and err == ""


def test_a_mistyped_command_gets_the_nearest_one_and_no_stray_indent():
    r = invoke(["validte", "x.xlsx"])
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith("用法：") and lines[1].startswith("xl-dealer: 命令：没有「validte」")
    assert "是不是 validate？" in lines[1] and not any(ln.startswith(" ") for ln in lines[1:])
    assert "是不是" not in invoke(["zzzz"]).stderr
