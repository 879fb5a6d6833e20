"""The 编办's rules: staffing need, evaluation, indicators, retirement, duty similarity."""
