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
) -> None:
    """Check workbooks: required fields, formats, the store's rules, and rules across workbooks.

    Exit 0: nothing at or above --fail-on; 1: findings at or above it; 2: bad usage or an unreadable input.
    """
    if format not in ("text", "json"):
        _fail(f"--format must be text or json, not {format!r}")
    if fail_on not in ("error", "warning", "never"):
        _fail(f"--fail-on must be error, warning or never, not {fail_on!r}")
    cfg = _load(config, lang, as_of)
    from xl_dealer.validate import collect_files
    from xl_dealer.validate import validate as run

    bar, step = _progress(len(collect_files(paths)))
    try:
        result = run(paths, as_of=as_of, config=cfg, progress=step)
    finally:
        if bar:
            bar.stop()
    for fr in result.errors:
        typer.echo(f"xl-dealer: {fr.path}: {fr.error}", err=True)
    if format == "json":
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        from xl_dealer.render.text import render_text

        typer.echo(render_text(result, cfg.lang))
    raise typer.Exit(result.exit_code(fail_on))


@app.command()
def annotate(
    paths: Annotated[list[Path], typer.Argument(help="workbooks or folders of workbooks", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", help="folder for the marked copies (default: beside each workbook)")] = None,  # noqa: UP045
    as_of: AsOf = None,
    config: ConfigFile = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="error, warning or never: exit 1 at or above it")] = "never",
    lang: Lang = "zh",
) -> None:
    """Write a marked copy of each .xlsx/.xlsm (<name>.checked.xlsx): bad cells filled, a note on each, a 校验结果 sheet.

    The source files are never changed. Exit 0: every copy written (and nothing at or above
    --fail-on, default never); 1: findings at or above --fail-on; 2: a file could not be read or marked.
    """
    if fail_on not in ("error", "warning", "never"):
        _fail(f"--fail-on must be error, warning or never, not {fail_on!r}")
    cfg = _load(config, lang, as_of)
    from xl_dealer.annotate import annotate as run
    from xl_dealer.annotate import input_files

    bar, step = _progress(len(input_files(paths)))
    try:
        result = run(paths, out=out, as_of=as_of, config=cfg, progress=step)
    finally:
        if bar:
            bar.stop()
    en = cfg.lang == "en"
    for af in result.files:
        if af.error:
            typer.echo(f"xl-dealer: {af.path}: {af.error}", err=True)
        elif af.out:
            if en:
                typer.echo(f"{af.out}: {af.findings} findings, {af.cells} cells marked")
            else:
                typer.echo(f"{af.out}：{af.findings} 条问题，标记了 {af.cells} 个单元格")
    raise typer.Exit(result.exit_code(fail_on))


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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("xl-dealer: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
