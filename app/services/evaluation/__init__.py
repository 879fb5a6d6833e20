"""Indicator systems and evaluation rounds (五单工作法), at the 编办 and in the units."""
