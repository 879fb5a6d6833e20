"""The PDF engine of the reports: GB/T 9704 document, layout, tables, line breaking, fonts, charts."""
