"""Property-based: the normaliser never raises on any value a reader can produce, and validate
on random small workbooks never raises and always emits SPEC §7 JSON."""

import datetime as dt
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.read import values as V
from xl_dealer.rules.fields import normaliser

# what openpyxl, calamine, xlwings and pandas hand us for one cell
cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["", " ", "#N/A", "#DIV/0!", "是", "√", "２０２６年１１月３日", "9点半", "+86 138 1234 5678",
                     "11010519491231002x", "粤B12345", "非常满意", "10分", "0755-8888 8888转12"]),
    st.dates(), st.datetimes(), st.times(),
)

CONFIG = Config()
FIELDS = [f for kind in KINDS.values() for f in kind.fields]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(raw=cell_values)
def test_every_normaliser_accepts_every_cell_value(raw):
    for fn in (V.to_date, V.to_time, V.to_phone, V.to_bool, V.to_int, V.to_number, V.to_id, V.to_plate,
               V.to_text, V.to_words, V.to_sign, V.to_vin, V.to_moment, V.clean):
        out = fn(raw)
        if fn is not V.clean:
            value, problem = out
            assert problem is None or isinstance(problem, str)
            assert not (isinstance(value, float) and math.isnan(value))
    for f in FIELDS:
        value, problem = normaliser(f, CONFIG, 2026, [raw])(raw)
        assert problem is None or problem in ("format.date", "format.time", "format.phone", "format.id",
                                              "format.plate", "format.number", "format.vin", "enum")


@settings(max_examples=200)
@given(raw=cell_values)
def test_a_problem_means_no_value(raw):
    for fn in (V.to_date, V.to_time, V.to_phone, V.to_bool, V.to_int, V.to_id, V.to_plate, V.to_vin, V.to_moment):
        value, problem = fn(raw)
        assert problem is None or value is None


FINDING_KEYS = {"path", "sheet", "row", "cell", "field", "column", "rule", "severity", "value", "message", "subject"}


def _check_json(data: dict) -> None:
    assert set(data) == {"version", "as_of", "files", "findings", "summary"}
    assert data["version"] == 1
    dt.date.fromisoformat(data["as_of"])
    for f in data["files"]:
        assert {"path", "error", "sheets"} <= set(f)
        for s in f["sheets"]:
            assert {"name", "kind", "header_row", "rows", "columns", "unmapped"} <= set(s)
    from xl_dealer.model.catalogue import RULES

    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["rule"] in RULES and f["severity"] in ("error", "warning", "info")
        assert isinstance(f["message"], str) and f["message"]
        assert (f["row"] is None) == (f["cell"] is None) or f["rule"].startswith("column.")
        if f["cell"] is not None:
            assert f["cell"].endswith(str(f["row"]))
    s = data["summary"]
    assert s["error"] + s["warning"] + s["info"] == len(data["findings"])


@st.composite
def workbooks(draw):
    kind = draw(st.sampled_from(list(KINDS.values())))
    fields = draw(st.lists(st.sampled_from(kind.fields), min_size=3, max_size=len(kind.fields), unique=True))
    headers = [draw(st.sampled_from(f.names)) for f in fields]
    if draw(st.booleans()):
        headers.append("微信号")
    top = draw(st.integers(0, 3))
    rows = [[draw(cell_values) for _ in headers] for _ in range(draw(st.integers(0, 6)))]
    return top, headers, rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(books=st.lists(workbooks(), min_size=1, max_size=3))
def test_validate_random_workbooks_never_raises_and_emits_spec_json(tmp_path_factory, books):
    from openpyxl import Workbook

    from xl_dealer.validate import validate

    folder = tmp_path_factory.mktemp("random")
    paths = []
    for n, (top, headers, rows) in enumerate(books):
        wb = Workbook()
        ws = wb.active
        for _ in range(top):
            ws.append(["标题"])
        ws.append(headers)
        for r in rows:
            clean = [v.replace(tzinfo=None) if isinstance(v, dt.datetime | dt.time) and v.tzinfo else v for v in r]
            clean = [None if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53 else v for v in clean]
            clean = ["".join(ch for ch in v if ch.isprintable()) if isinstance(v, str) else v for v in clean]
            ws.append(clean)
            for c in ws[ws.max_row]:
                if c.data_type == "f":
                    c.data_type = "s"
        p = folder / f"b{n}.xlsx"
        wb.save(p)
        paths.append(p)
    result = validate(paths, as_of=dt.date(2026, 11, 27), config=CONFIG)
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    _check_json(data)
