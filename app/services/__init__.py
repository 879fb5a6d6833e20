"""Use cases called by the UI and the CLI. Every call that acts for a person checks permission here."""
