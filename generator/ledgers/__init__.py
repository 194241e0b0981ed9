"""Ledgers (台账): views computed from the records, their pages, charts and exported workbooks."""
