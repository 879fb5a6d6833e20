"""The 编办: register and mirrors of the units, package imports, the figures cache, county analysis."""
