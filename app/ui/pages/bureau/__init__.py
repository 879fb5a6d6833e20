"""The 编办 edition's pages: units, packages, county table, duty overlap, evaluation rounds."""
