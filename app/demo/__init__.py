"""Demo data: a county 市场监督管理局 with months of reviewed logs (or a unit of another kind,
app.demo.kinds), and a demo county for the 编办 whose units are each of their own kind."""
