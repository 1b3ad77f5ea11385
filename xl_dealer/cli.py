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
    if sys.stdout.isatty():
        return json.dumps(data, ensure_ascii=False, indent=2)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _fail(msg: str) -> None:
    """A bad input or usage: one line on stderr, exit 2, never a traceback."""
    typer.echo(f"xl-dealer: {msg}", err=True)
    raise typer.Exit(2)


def _load(config_file: Path | None, lang: str | None, as_of: str | None):
    from xl_dealer.config import load_config
    from xl_dealer.errors import InputError

    if lang not in (None, "zh", "en"):
        _fail(f"--lang must be zh or en, not {lang!r}")
    if as_of is not None:
        import datetime as dt

        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of must be a date like 2026-11-27, not {as_of!r}")
    try:
        return load_config(config_file, lang=lang)
    except InputError as e:
        _fail(str(e))


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
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False)],
    as_of: AsOf = None,
    config: ConfigFile = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    fail_on: Annotated[str, typer.Option("--fail-on", help="error, warning or never: exit 1 at or above it")] = "error",
    lang: Lang = "zh",
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="processes reading workbooks (default: the CPUs available; 1 = one process); the result is the same", show_default=False)] = None,  # noqa: UP045
) -> None:
    """Check workbooks: required fields, formats, the store's rules, and rules across workbooks.

    Exit 0: nothing at or above --fail-on; 1: findings at or above it; 2: bad usage or an unreadable input.
    """
    if format not in ("text", "json"):
        _fail(f"--format must be text or json, not {format!r}")
    if fail_on not in ("error", "warning", "never"):
        _fail(f"--fail-on must be error, warning or never, not {fail_on!r}")
    if jobs is not None and jobs < 1:
        _fail(f"--jobs must be 1 or more, not {jobs}")
    cfg = _load(config, lang, as_of)
    from xl_dealer.validate import collect_files
    from xl_dealer.validate import validate as run

    bar, step = _progress(len(collect_files(paths)))
    try:
        result = run(paths, as_of=as_of, config=cfg, progress=step, jobs=jobs)
    finally:
        if bar:
            bar.stop()
    for fr in result.errors:
        typer.echo(f"xl-dealer: {fr.path}: {fr.error}", err=True)
    if format == "json":
        typer.echo(dumps(result.to_json()))
    else:
        from xl_dealer.render.text import render_text

        typer.echo(render_text(result, cfg.lang))
    raise typer.Exit(result.exit_code(fail_on))


@app.command()
def report(
    name: Annotated[str, typer.Argument(help="morning, followups, funnel, weekly, monthly, churn, reminders, or all", show_default=False)],
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False)],
    as_of: AsOf = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="xlsx to write (default ./NAME_ASOF.xlsx)")] = None,  # noqa: UP045
    json_path: Annotated[Optional[Path], typer.Option("--json", help="also write the report data as JSON (- for stdout)")] = None,  # noqa: UP045
    period: Annotated[Optional[str], typer.Option("--period", help="funnel only: week or month (default month)")] = None,  # noqa: UP045
    config: ConfigFile = None,
) -> None:
    """Build a manager report (a formatted sheet) from workbooks; `all` writes every report into one workbook.

    Exit 0: written; 2: bad usage or an unreadable input (nothing written).
    """
    from xl_dealer.reports import REPORTS

    if name != "all" and name not in REPORTS:
        _fail(f"unknown report {name!r}; choose one of: {', '.join(REPORTS)}, all")
    if period not in (None, "week", "month"):
        _fail(f"--period must be week or month, not {period!r}")
    cfg = _load(config, None, as_of)
    from xl_dealer.errors import InputError
    from xl_dealer.reports import default_out, to_json
    from xl_dealer.reports import report as run

    to_stdout = json_path is not None and str(json_path) == "-"
    try:
        reports = run(name, paths, as_of=as_of, config=cfg, out=out,
                      json_path=None if to_stdout else json_path, period=period)
    except InputError as e:
        _fail(str(e))
    if to_stdout:
        typer.echo(json.dumps(to_json(reports, name != "all"), ensure_ascii=False, indent=2))
    if out is not None or json_path is None:
        written = out or default_out(name, reports[0].as_of.date())
        typer.echo(f"{written}  ({', '.join(r.sheet for r in reports)})", err=to_stdout)


@app.command("config")
def show_config(config: ConfigFile = None) -> None:
    """Print the effective configuration (defaults merged with dealer.toml) as TOML."""
    cfg = _load(config, None, None)
    from xl_dealer.config import to_toml

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

    try:
        run(out, as_of=as_of, config=cfg, echo=typer.echo)
    except OSError as e:
        _fail(f"{out}: cannot write ({e.strerror or e})")


@app.command()
def templates(
    out: Annotated[Path, typer.Argument(help="folder for the templates")] = Path("workbooks"),
    config: ConfigFile = None,
) -> None:
    """Write an empty workbook per kind: headers, drop-down lists, formats, 说明 and the xlwings sheet."""
    cfg = _load(config, None, None)
    from xl_dealer.templates import templates as run

    try:
        paths = run(out, config=cfg)
    except OSError as e:
        _fail(f"{out}: cannot write ({e.strerror or e})")
    for p in paths:
        typer.echo(str(p))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("xl-dealer: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
