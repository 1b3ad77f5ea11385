"""The command line as a scheduler and a clerk use it: exit codes, JSON layout, bad inputs."""

import datetime as dt
import json
import subprocess
import sys

import pytest
from helpers import REG_HEADER, reg_row, write_xlsx

AS_OF = "2026-11-27"


def run(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "xl_dealer.cli", *map(str, args)], capture_output=True, text=True,
                       cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def good(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", {"登记": [REG_HEADER, reg_row()]})


@pytest.fixture
def bad(tmp_path):
    return write_xlsx(tmp_path / "bad.xlsx", {"登记": [REG_HEADER, reg_row(phone="1381234567"),
                                                      reg_row(phone="13800000001"), reg_row(phone="13800000001")]})


def test_exit_codes_follow_fail_on(good, bad):
    assert run("validate", good, "--as-of", AS_OF)[0] == 0
    assert run("validate", bad, "--as-of", AS_OF)[0] == 1
    assert run("validate", bad, "--as-of", AS_OF, "--fail-on", "never")[0] == 0
    only_warning = write_xlsx(good.parent / "w.xlsx", {"登记": [REG_HEADER, reg_row(), reg_row()]})
    assert run("validate", only_warning, "--as-of", AS_OF)[0] == 0
    assert run("validate", only_warning, "--as-of", AS_OF, "--fail-on", "warning")[0] == 1


def test_json_layout_is_spec_section_7(bad):
    code, out, _ = run("validate", bad, "--format", "json", "--as-of", AS_OF)
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"version", "as_of", "files", "findings", "summary"}
    assert data["version"] == 1 and data["as_of"] == AS_OF
    f0 = data["files"][0]
    assert f0["error"] is None and f0["path"].endswith("bad.xlsx")
    assert f0["sheets"][0] == {"name": "登记", "kind": "registration", "header_row": 1, "rows": 3,
                               "columns": f0["sheets"][0]["columns"], "unmapped": [], "filled": {}}
    assert f0["sheets"][0]["columns"]["phone"] == "*联系电话"
    keys = {"path", "sheet", "row", "cell", "field", "column", "rule", "severity", "value", "message", "subject"}
    assert all(set(f) == keys for f in data["findings"])
    phone = next(f for f in data["findings"] if f["rule"] == "format.phone")
    assert (phone["row"], phone["cell"], phone["field"], phone["column"], phone["value"]) == (2, "F2", "phone", "*联系电话", "1381234567")
    assert data["summary"] == {"files": 1, "sheets": 1, "rows": 3, "error": 1, "warning": 1, "info": 0}


def test_english_messages(bad):
    out = run("validate", bad, "--as-of", AS_OF, "--lang", "en")[1]
    assert "is not a valid phone" in out and "Total: 1 file, 1 sheet, 3 rows; 1 error, 1 warning, 0 info" in out


def test_unreadable_inputs_one_line_each_others_still_checked(tmp_path, bad):
    import msoffcrypto.format.ooxml as ooxml

    (tmp_path / "notes.xlsx").write_text("not a workbook")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_bytes(bad.read_bytes()[:600])
    with open(tmp_path / "locked.xlsx", "wb") as out, open(bad, "rb") as src:
        ooxml.OOXMLFile(src).encrypt("secret", out)
    missing = tmp_path / "missing.xlsx"
    code, out, err = run("validate", tmp_path / "notes.xlsx", corrupt, tmp_path / "locked.xlsx", missing, bad,
                         "--format", "json", "--as-of", AS_OF)
    assert code == 2
    data = json.loads(out)
    errors = {f["path"].rsplit("/", 1)[1]: f["error"] for f in data["files"]}
    assert errors["bad.xlsx"] is None
    assert "密码" in errors["locked.xlsx"] and "password" not in errors["locked.xlsx"]  # one language a line
    assert "文件不存在" in errors["missing.xlsx"]
    assert errors["notes.xlsx"] and errors["corrupt.xlsx"]
    assert any(f["rule"] == "format.phone" for f in data["findings"])  # the good file was still checked
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("xl-dealer: ") for line in lines)


def test_folder_skips_lock_and_hidden_files(tmp_path, bad):
    folder = tmp_path / "month"
    folder.mkdir()
    (folder / "log.xlsx").write_bytes(bad.read_bytes())
    (folder / "~$log.xlsx").write_bytes(b"\x00lock")
    (folder / ".hidden.xlsx").write_bytes(b"junk")
    (folder / "readme.txt").write_text("x")
    code, out, err = run("validate", folder, "--format", "json", "--as-of", AS_OF)
    data = json.loads(out)
    # a lock file means someone has the book open: listed with a reason, not a failure of the run
    files = {f["path"].rsplit("/", 1)[1]: f for f in data["files"]}
    assert sorted(files) == [".hidden.xlsx", "log.xlsx", "~$log.xlsx"]
    assert "锁定文件" in files["~$log.xlsx"]["skipped"] and files["~$log.xlsx"]["error"] is None
    assert "隐藏文件" in files[".hidden.xlsx"]["skipped"]
    assert code == 1 and "Traceback" not in err


def test_lock_file_given_explicitly_is_listed_not_an_error(tmp_path):
    lock = tmp_path / "~$log.xlsx"
    lock.write_bytes(b"\x00")
    code, out, _ = run("validate", lock, "--as-of", AS_OF)
    assert code == 0 and "锁定文件" in out and "lock file" not in out
    code, out, _ = run("validate", lock, "--as-of", AS_OF, "--lang", "en")
    assert code == 0 and "lock file" in out and "锁定" not in out


def test_bad_usage_exits_2(good, tmp_path):
    assert run("validate", good, "--format", "xml")[0] == 2
    assert run("validate", good, "--as-of", "27/11/2026")[0] == 2
    assert run("validate", good, "--fail-on", "sometimes")[0] == 2
    cfg = tmp_path / "dealer.toml"
    cfg.write_text("followup_daily_target = 'six'\n")
    code, _, err = run("validate", good, "--config", cfg)
    assert code == 2 and "followup_daily_target" in err and "Traceback" not in err
    cfg.write_text("[severity]\n\"no.such.rule\" = \"error\"\n")
    code, _, err = run("validate", good, "--config", cfg)
    assert code == 2 and "no.such.rule" in err
    cfg.write_text("this is = = not toml")
    assert run("validate", good, "--config", cfg)[0] == 2


def test_config_changes_rules_and_prints_back(tmp_path, good):
    cfg = tmp_path / "dealer.toml"
    cfg.write_text('[enums]\nsource = ["抖音", "其他"]\n[severity]\nenum = "warning"\n[aliases.registration]\nphone = ["客户手机"]\n')
    code, out, _ = run("validate", good, "--config", cfg, "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    assert [f["rule"] for f in data["findings"]] == ["enum"] and data["findings"][0]["severity"] == "warning"
    assert code == 0
    code, out, _ = run("config", "--config", cfg)
    assert code == 0 and 'source = ["抖音", "其他"]' in out and 'enum = "warning"' in out
    # what `config` prints is itself a valid config file
    (tmp_path / "back.toml").write_text(out)
    assert run("config", "--config", tmp_path / "back.toml")[1] == out


def test_dealer_toml_in_the_working_folder_is_used(tmp_path, good):
    (tmp_path / "dealer.toml").write_text('[severity]\n"card.required" = "info"\nrequired = "info"\n')
    log = write_xlsx(tmp_path / "l.xlsx", {"登记": [REG_HEADER, reg_row(card="否")]})
    code, out, _ = run("validate", log, "--as-of", AS_OF, "--format", "json", cwd=tmp_path)
    assert code == 0 and json.loads(out)["summary"]["info"] == 1


def test_demo_writes_and_checks_samples(tmp_path):
    code, out, err = run("demo", tmp_path / "demo", "--as-of", AS_OF)
    assert code == 0, err
    assert (tmp_path / "demo" / "showroom_log.xlsx").exists() and "合计" in out and "另有" in out
    data = json.loads((tmp_path / "demo" / "findings.json").read_text())
    assert data["as_of"] == AS_OF and data["summary"]["error"] > 0
    assert {"format.phone", "card.missing", "followup.quota", "complaint.unhandled"} <= {f["rule"] for f in data["findings"]}


def test_help_lists_commands():
    code, out, _ = run("--help")
    assert code == 0 and "validate" in out and "demo" in out


def test_python_api_same_as_cli(bad):
    from xl_dealer import validate

    r = validate([bad], as_of=dt.date(2026, 11, 27))
    _, out, _ = run("validate", bad, "--format", "json", "--as-of", AS_OF)
    assert r.to_json() == json.loads(out)


def test_readme_catalogue_is_the_generated_one():
    from pathlib import Path

    from xl_dealer.render.catalogue import END, START, catalogue_markdown

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(START): readme.index(END) + len(END)]
    assert block == catalogue_markdown(), "run `xl-dealer rules --markdown` and paste it into the README"


def test_rules_command_lists_every_rule():
    from xl_dealer.model.catalogue import RULES

    code, out, _ = run("rules")
    assert code == 0 and all(r in out for r in RULES)
    line = next(ln for ln in out.splitlines() if ln.startswith("format.phone "))
    assert "电话号码不对" in line  # the name a clerk reads in 校验结果, beside the id


def test_every_rule_has_a_chinese_name_and_no_two_share_one():
    """校验结果 shows the rule's name, not its id: a rule added without one would show the bare id."""
    import re

    from xl_dealer.model.catalogue import NAMES, RULES

    assert set(NAMES) == set(RULES)
    zh = [r.name for r in RULES.values()]
    assert all(re.search(r"[\u4e00-\u9fff]", n) for n in zh) and len(set(zh)) == len(zh)
    assert all(r.name_en and r.name_en != r.id for r in RULES.values())


def test_our_own_outputs_in_a_folder_are_skipped_not_read_as_data(tmp_path):
    import os
    import stat

    folder = tmp_path / "month"
    folder.mkdir()
    write_xlsx(folder / "登记.xlsx", {"登记": [REG_HEADER, reg_row(phone="123")]})
    assert run("annotate", folder / "登记.xlsx", "--as-of", AS_OF)[0] == 0
    assert run("report", "all", folder, "--as-of", AS_OF, "--out", folder / "reports.xlsx")[0] == 0
    mode = stat.S_IMODE(os.stat(folder / "reports.xlsx").st_mode)
    assert mode & 0o044 == 0o044 & ~_umask()  # readable by others as the umask allows, not 0600
    code, out, _ = run("validate", folder, "--as-of", AS_OF, "--format", "json")
    data = json.loads(out)
    skipped = {f["path"].rsplit("/", 1)[1]: f.get("skipped") for f in data["files"]}
    assert "生成的报表" in skipped["reports.xlsx"] and "标记副本" in skipped["登记.checked.xlsx"]
    assert skipped["登记.xlsx"] is None
    assert [(f["cell"], f["rule"]) for f in data["findings"]] == [("F2", "format.phone")]  # once, not twice


def _umask():
    import os

    m = os.umask(0)
    os.umask(m)
    return m


def test_fail_on_info(tmp_path):
    from helpers import write_xlsx as w

    p = w(tmp_path / "ok.xlsx", {"登记": [REG_HEADER, reg_row()]})
    assert run("validate", p, "--as-of", AS_OF, "--fail-on", "info")[0] == 0
    assert run("validate", bad_book(tmp_path), "--as-of", AS_OF, "--fail-on", "info")[0] == 1


def bad_book(tmp_path):
    return write_xlsx(tmp_path / "b.xlsx", {"登记": [REG_HEADER, reg_row(phone="1")]})


def test_python_api_has_the_command_names():
    import xl_dealer.annotate
    import xl_dealer.templates
    import xl_dealer.validate  # noqa: F401  (the modules of the same names are imported first)
    from xl_dealer import annotate, demo, report, templates, validate

    assert all(callable(f) and not isinstance(f, type(xl_dealer)) for f in (annotate, demo, report, templates, validate))


def test_an_empty_folder_is_an_error_for_a_scheduler(tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run("validate", tmp_path / "empty")
    assert code == 2 and "没有找到工作簿" in err and "no workbooks" not in err
    code, _, err = run("validate", tmp_path / "empty", "--lang", "en")
    assert code == 2 and "no workbooks found" in err
