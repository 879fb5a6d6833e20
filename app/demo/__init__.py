"""Demo data: a county 市场监督管理局 with months of reviewed logs, and a demo county for the 编办."""
