"""Worksheet functions (UDFs) and button macros for Excel, via xlwings' "Import Functions".

The workbook's ``xlwings.conf`` sheet names this package (``UDF Modules`` = ``udfs``);
xlwings wraps everything here that carries ``@xw.func`` or ``@xw.script`` in VBA.
"""

from udfs.dealer_udfs import (
    DEALER_CALLBACK_DUE,
    DEALER_CALLBACK_LATE,
    DEALER_CHECK_ROW,
    DEALER_FOLLOWUP_STATUS,
    DEALER_ID_AGE,
    DEALER_ID_OK,
    DEALER_MASK,
    DEALER_NEXT_FOLLOWUP,
    DEALER_PHONE,
    DEALER_PHONE_OK,
    DEALER_SATISFACTION,
    DEALER_VALIDATE,
    DEALER_VIN_OK,
)
from xl_dealer.excel.scripts import (
    clear_marks_active,
    report_calls,
    report_churn,
    report_daily,
    report_followups,
    report_funnel,
    report_invites,
    report_lost,
    report_monthly,
    report_morning,
    report_prospects,
    report_reminders,
    report_sales,
    report_weekly,
    validate_active,
)

__all__ = [
    "DEALER_CALLBACK_DUE", "DEALER_CALLBACK_LATE", "DEALER_CHECK_ROW", "DEALER_FOLLOWUP_STATUS",
    "DEALER_ID_AGE", "DEALER_ID_OK", "DEALER_MASK", "DEALER_NEXT_FOLLOWUP", "DEALER_PHONE",
    "DEALER_PHONE_OK", "DEALER_SATISFACTION", "DEALER_VALIDATE", "DEALER_VIN_OK",
    "clear_marks_active", "report_calls", "report_churn", "report_daily", "report_followups", "report_funnel",
    "report_invites", "report_lost", "report_monthly", "report_morning", "report_prospects", "report_reminders",
    "report_sales", "report_weekly", "validate_active",
]
