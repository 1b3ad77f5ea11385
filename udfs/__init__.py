"""Worksheet functions (UDFs) for Excel via xlwings; imported by the add-in's "Import Functions"."""
