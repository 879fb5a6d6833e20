"""Printed and exported output: PDF (reportlab, GB/T 9704 page), print charts, Excel, narrative text."""
