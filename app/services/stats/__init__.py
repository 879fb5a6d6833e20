"""The statistics: figures per unit, section and person, their SQL, who may see them, drill-down, export."""
