"""The 编办's county report: the writer, the county's sums and groupings, the generated text."""
