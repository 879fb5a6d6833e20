"""The Excel import templates and the roster (人员名册) and duties (三定职责) importers."""
