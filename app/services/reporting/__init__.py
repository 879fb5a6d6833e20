"""Gathering what each printed report shows from the databases into plain values for app.reports."""
