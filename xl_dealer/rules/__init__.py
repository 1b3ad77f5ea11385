"""From tables to findings: the per-cell checks of every declared field (``fields``), each
kind's own rules (``registration``, ``testdrive``, ``followup``, ``callback``, ``complaint``,
``delivery``, ``customer``, ``reminder``),
the rules across workbooks (``cross``), with the arithmetic they share (``cadence`` for
follow-up and callback due dates, ``scores`` for satisfaction), and the run's result
(``result``).

This module runs every rule over the tables of one run (several workbooks are checked
together). May import ``model`` and ``read``; must not import ``reports``, ``render``,
``xlsx``, ``samples``, ``excel``, the operations or xlwings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding
from xl_dealer.read.table import Table
from xl_dealer.rules.base import Checked, Emitter
from xl_dealer.rules.callback import check_callback
from xl_dealer.rules.complaint import check_complaint, check_unhandled
from xl_dealer.rules.cross import check_card_missing, check_test_drive_missing, tell_skipped
from xl_dealer.rules.customer import (
    check_customer_file,
    check_customer_mismatch,
    check_customer_unknown,
)
from xl_dealer.rules.delivery import check_card_not_closed, check_delivery, check_new_car_call
from xl_dealer.rules.fields import check_columns, check_fields
from xl_dealer.rules.followup import check_card, check_log, check_overdue, check_quota
from xl_dealer.rules.registration import check_registration
from xl_dealer.rules.reminder import check_maintenance_list
from xl_dealer.rules.shared import sharing
from xl_dealer.rules.testdrive import check_test_drive

TableRule = Callable[[Checked, Config, Emitter], None]
RunRule = Callable[[list[Checked], Config, Emitter], None]

# rules of one table, by kind
TABLE_RULES: dict[str, list[TableRule]] = {
    "registration": [check_registration],
    "test_drive": [check_test_drive],
    "followup_card": [check_card],
    "followup_log": [check_log],
    "service_callback": [check_callback],
    "complaint": [check_complaint],
    "delivery": [check_delivery],
    "customer_file": [check_customer_file],
    "maintenance_list": [check_maintenance_list],
}
# rules over all tables of the run (cross-workbook and group rules)
RUN_RULES: list[RunRule] = [check_test_drive_missing, check_card_missing, check_overdue, check_quota,
                            check_unhandled, check_new_car_call, check_card_not_closed, check_customer_mismatch,
                            check_customer_unknown]


def check_tables(tables: list[Table], config: Config, as_of: dt.date) -> tuple[list[Checked], list[Finding]]:
    em = Emitter(config, as_of)
    checked = [check_table(t, config, em) for t in tables]
    check_run(checked, config, em)
    return checked, em.findings


def check_table(t: Table, config: Config, em: Emitter) -> Checked:
    """The rules of one table: they need nothing from other tables, so a worker process can
    run them next to the reading (``validate --jobs``)."""
    check_columns(t, em)
    c = check_fields(t, config, em)
    table_rules(c, config, em)
    return c


def table_rules(c: Checked, config: Config, em: Emitter) -> None:
    """The kind's own rules over one checked table."""
    for rule in TABLE_RULES.get(c.table.kind.key, ()):
        rule(c, config, em)


def check_run(checked: list[Checked], config: Config, em: Emitter) -> None:
    """The rules over every table of the run (across workbooks): they need all of them. Rules that
    need the same index of the tables (the deliveries by phone) share it (``shared``); within a
    ``report``, its builders read it again."""
    with sharing():
        for run_rule in RUN_RULES:
            run_rule(checked, config, em)
    tell_skipped(em)
