"""Who the people are and how the unit is set up: accounts, structure, reporting lines, settings, calendar."""
