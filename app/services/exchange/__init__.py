"""Sync packages between a unit and its 编办: export, preview, import, and the 单位注册包."""
