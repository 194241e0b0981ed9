"""Writing records: skeletons, conventions, spreadsheet import and the full workbook, the JSON Schema."""
