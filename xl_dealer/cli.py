"""``xl-dealer``: a thin shell over the library functions of the same names.

Imports are lazy so ``xl-dealer --help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Checks and summary sheets for car-dealership (4S店) Excel workbooks.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

AsOf = Annotated[Optional[str], typer.Option("--as-of", help="date the rules count from (YYYY-MM-DD); default today")]  # noqa: UP045
ConfigFile = Annotated[Optional[Path], typer.Option("--config", help="dealer.toml (default: ./dealer.toml or $XL_DEALER_CONFIG)")]  # noqa: UP045
Lang = Annotated[str, typer.Option("--lang", help="language of messages: zh or en")]


def dumps(data: object) -> str:
    """JSON for machines: compact (the C encoder; indent= makes it pure Python and 10x slower),
    indented only when a person is looking at a terminal."""
    # allow_nan=False: a value json_value let through as inf would be "Infinity", which no JSON reader takes
    if sys.stdout.isatty():
        return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _fail(msg: str) -> None:
    """A bad input or usage: one line on stderr, exit 2, never a traceback."""
    _err(msg)
    raise typer.Exit(2)


def _err(msg: str) -> None:
    """One line on stderr: a path or a value holding a line break or ESC cannot forge another."""
    from xl_dealer.model.text import escape_terminal

    typer.echo(f"xl-dealer: {escape_terminal(msg)}", err=True)


def _load(config_file: Path | None, lang: str | None, as_of: str | None):
    from xl_dealer.model.config import load_config
    from xl_dealer.model.errors import InputError

    if lang not in (None, "zh", "en"):
        _fail(f"--lang must be zh or en, not {lang!r}")
    if as_of is not None:
        import datetime as dt

        from xl_dealer.model.config import check_as_of

        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of must be a date like 2026-11-27, not {as_of!r}")
        try:
            check_as_of(day)
        except ValueError as e:
            _fail(f"--as-of: {e}")
    try:
        return load_config(config_file, lang=lang)
    except InputError as e:
        _fail(str(e))


def _check_fail_on(fail_on: str) -> None:
    from xl_dealer.rules.result import FAIL_ON

    if fail_on not in FAIL_ON:
        _fail(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")


def _with_progress(total: int, call):  # noqa: ANN001, ANN202
    """``call(step)`` with a progress bar over ``total`` files (none when not a terminal)."""
    bar, step = _progress(total)
    try:
        return call(step)
    finally:
        if bar:
            bar.stop()


def _progress(total: int):
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
    task = bar.add_task("checking", total=total)
    bar.start()

    def step(path: str) -> None:
        bar.update(task, advance=1, description=Path(path).name[:40])

    return bar, step


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False, readable=False)],
    as_of: AsOf = None,
    config: ConfigFile = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    fail_on: Annotated[str, typer.Option("--fail-on", help="error, warning, info or never: exit 1 at or above it")] = "error",
    lang: Lang = "zh",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="CPUs to use (default: all available; 1 = one): processes for a folder, pieces of one big sheet read at once; the result is the same", show_default=False)] = None,  # noqa: UP045
) -> None:
    """Check workbooks: required fields, formats, the store's rules, and rules across workbooks.

    Exit 0: nothing at or above --fail-on; 1: findings at or above it; 2: bad usage or an unreadable input.
    """
    if format not in ("text", "json"):
        _fail(f"--format must be text or json, not {format!r}")
    _check_fail_on(fail_on)
    if jobs is not None and jobs < 1:
        _fail(f"--jobs must be 1 or more, not {jobs}")
    cfg = _load(config, lang, as_of)
    from xl_dealer.read.inputs import collect_files
    from xl_dealer.validate import validate as run

    # the folders are walked again for the bar's total only when someone watches it
    n = len(collect_files(paths)) if sys.stderr.isatty() else 0
    result = _with_progress(n, lambda step: run(paths, as_of=as_of, config=cfg, progress=step, jobs=jobs))
    if not result.files:  # a scheduler pointed at the wrong or an empty folder must not see success
        _fail(f"没有找到工作簿 / no workbooks found in {', '.join(map(str, paths))}")
    for fr in result.errors:
        _err(f"{fr.path}: {fr.error}")
    if format == "json":
        typer.echo(dumps(result.to_json()))
    else:
        from xl_dealer.render.text import render_text

        typer.echo(render_text(result, cfg.lang))
    raise typer.Exit(result.exit_code(fail_on))


@app.command()
def report(
    name: Annotated[str, typer.Argument(help="morning, followups, funnel, sales, lost, invites, weekly, monthly, churn, reminders, or all", show_default=False)],
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False, readable=False)],
    as_of: AsOf = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="xlsx to write (default ./NAME_ASOF.xlsx)")] = None,  # noqa: UP045
    json_path: Annotated[Optional[Path], typer.Option("--json", help="also write the report data as JSON (- for stdout)")] = None,  # noqa: UP045
    period: Annotated[Optional[str], typer.Option("--period", help="day, week, month, quarter, half or year: the last complete one (funnel, sales, lost, invites, weekly, monthly, churn)")] = None,  # noqa: UP045
    config: ConfigFile = None,
) -> None:
    """Build a manager report (a formatted sheet) from workbooks; `all` writes every report into one workbook.

    Exit 0: written; 2: bad usage or an unreadable input (nothing written).
    """
    from xl_dealer.reports import REPORTS

    if name != "all" and name not in REPORTS:
        _fail(f"unknown report {name!r}; choose one of: {', '.join(REPORTS)}, all")
    from xl_dealer.model.errors import InputError
    from xl_dealer.report import check_period, default_out, to_json
    from xl_dealer.report import report as run

    try:
        check_period(name, period)
    except InputError as e:
        _fail(str(e))
    cfg = _load(config, None, as_of)
    to_stdout = json_path is not None and str(json_path) == "-"
    try:
        reports = run(name, paths, as_of=as_of, config=cfg, out=out, json_path=json_path, period=period)
    except InputError as e:
        _fail(str(e))
    for r in reports:  # what is missing goes to the scheduler's log too, not only onto the sheet
        for note in r.notes:
            typer.echo(f"xl-dealer: {r.sheet}: {note}", err=True)
    if to_stdout:
        typer.echo(json.dumps(to_json(reports, name != "all"), ensure_ascii=False, indent=2, allow_nan=False))
    if out is not None or json_path is None:
        written = out or default_out(name, reports[0].as_of.date())
        typer.echo(f"{written}  ({', '.join(r.sheet for r in reports)})", err=to_stdout)


@app.command()
def rules(markdown: Annotated[bool, typer.Option("--markdown", help="the README's catalogue section")] = False) -> None:
    """List the rule ids with their default severities (and, with --markdown, every workbook kind's columns)."""
    from xl_dealer.render.catalogue import catalogue_markdown

    if markdown:
        typer.echo(catalogue_markdown())
        return
    from xl_dealer.model.catalogue import RULES
    from xl_dealer.read.values import text_width

    for r in RULES.values():  # the Chinese name as 校验结果 shows it, padded by display width
        typer.echo(f"{r.id:<26} {r.severity:<8} {r.name}{' ' * max(1, 22 - text_width(r.name))}{r.what}")


@app.command()
def annotate(
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False, readable=False)],
    out: Annotated[Optional[Path], typer.Option("--out", help="folder for the marked copies (default: beside each workbook)")] = None,  # noqa: UP045
    as_of: AsOf = None,
    config: ConfigFile = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="error, warning, info or never: exit 1 at or above it")] = "never",
    lang: Lang = "zh",
) -> None:
    """Write a marked copy of each .xlsx/.xlsm (<name>.checked.xlsx): bad cells filled, a note on each, a 校验结果 sheet.

    The source files are never changed. Exit 0: every copy written (and nothing at or above
    --fail-on, default never); 1: findings at or above --fail-on; 2: a file could not be read or marked.
    """
    _check_fail_on(fail_on)
    cfg = _load(config, lang, as_of)
    from xl_dealer.annotate import annotate as run
    from xl_dealer.annotate import input_files

    result = _with_progress(len(input_files(paths)),
                            lambda step: run(paths, out=out, as_of=as_of, config=cfg, progress=step))
    en = cfg.lang == "en"
    for af in result.files:
        if af.error:
            _err(f"{af.path}: {af.error}")
        elif af.skipped and not af.out:
            from xl_dealer.model.text import escape_terminal

            typer.echo(f"{escape_terminal(af.path)}: {af.skipped}")
        elif af.out:
            from xl_dealer.model.text import escape_terminal

            out_name = escape_terminal(af.out)
            if en:
                typer.echo(f"{out_name}: {af.findings} findings, {af.cells} cells marked")
            else:
                typer.echo(f"{out_name}：{af.findings} 条问题，标记了 {af.cells} 个单元格")
    raise typer.Exit(result.exit_code(fail_on))


@app.command("config")
def show_config(config: ConfigFile = None) -> None:
    """Print the effective configuration (defaults merged with dealer.toml) as TOML."""
    cfg = _load(config, None, None)
    from xl_dealer.model.config import to_toml

    typer.echo(to_toml(cfg))


@app.command()
def demo(
    out: Annotated[Path, typer.Argument(help="folder for the sample workbooks and outputs")] = Path("xl-dealer-demo"),
    as_of: AsOf = None,
    lang: Lang = "zh",
) -> None:
    """Write realistic sample workbooks (with a month's typical mistakes), check them, and say where everything is."""
    cfg = _load(None, lang, as_of)
    from xl_dealer.demo import demo as run

    run(out, as_of=as_of, config=cfg, echo=typer.echo)


@app.command()
def templates(
    out: Annotated[Path, typer.Argument(help="folder for the templates")] = Path("workbooks"),
    config: ConfigFile = None,
) -> None:
    """Write an empty workbook per kind: headers, drop-down lists, formats, 说明 and the xlwings sheet."""
    cfg = _load(config, None, None)
    from xl_dealer.templates import templates as run

    paths = run(out, config=cfg)
    for p in paths:
        typer.echo(str(p))


def main() -> None:
    """Entry point: an input or output problem anywhere is one line on stderr and exit 2."""
    from xl_dealer.model.errors import InputError

    code: int | str | None = 0
    try:
        app()
    except SystemExit as e:
        code = e.code
    except InputError as e:
        _err(str(e))
        code = 2
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        _err(f"{where}{e.strerror or e}")
        code = 2
    except KeyboardInterrupt:
        _err("interrupted")
        code = 130
    sys.exit(_flushed(code))


def _flushed(code: int | str | None) -> int | str | None:
    """Flush stdout here, where a failure can still be told in one line: left to the interpreter's
    exit, a full disk or a closed pipe prints an "Exception ignored ... OSError" traceback."""
    import os

    try:
        sys.stdout.flush()
        return code
    except BrokenPipeError:  # `xl-dealer validate … | head`: the reader has what it wanted
        result: int | str | None = code
    except OSError as e:
        _err(f"无法写出结果 / cannot write the output ({e.strerror or e})")
        result = 2
    try:  # nothing more can be written there: let the exit's own flush go nowhere
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return result


if __name__ == "__main__":
    main()
