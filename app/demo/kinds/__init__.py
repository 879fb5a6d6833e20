"""Kinds of demo unit: each a plausible county body with its own 内设机构, 三定 duties, leaders and
分管 lines, staffing and the sentences its logs are written from (app.demo.kinds.base.Kind).

    market        市场监督管理局 (the single-unit demo; banks in app.demo.data and app.demo.phrases)
    organisation  县委组织部
    hospital      人民医院 (中医医院 and 妇幼保健院 take the generic profile: the same 三定 text in
                  three hospitals would fill the 编办's overlap list with identical pairs)
    cdc           疾病预防控制中心
    health        卫生健康局
    congress      人大常委会办公室
    education     教育和体育局
    development   发展和改革局
    media         融媒体中心
    union         总工会
    government    any other body: a generic profile worded on the body's own field, taken from
                  its name (财政, 民政, 交通运输 …), with a few duties of its own for some
                  (app.demo.kinds.government)

`kind_for(name)` picks the kind of a county body by its name.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from app.demo.kinds.base import Kind

# name fragment → kind, first match wins (the county demo's CATALOGUE names)
BY_NAME = (
    ("市场监督管理", "market"), ("组织部", "organisation"), ("疾病预防控制", "cdc"),
    ("卫生健康", "health"), ("人民医院", "hospital"),
    ("人大常委会", "congress"), ("教育和体育", "education"), ("发展和改革", "development"),
    ("融媒体", "media"), ("总工会", "union"),
)
KINDS = ("market", "organisation", "hospital", "cdc", "health", "congress", "education",
         "development", "media", "union")


@lru_cache(maxsize=None)
def get_kind(key: str) -> Kind:
    """The kind `key` (see the module docstring); 'government:<body name>' is the generic
    profile for that body."""
    if key.startswith("government:"):
        from app.demo.kinds.government import kind_of
        return kind_of(key.split(":", 1)[1])
    if key not in KINDS:
        raise KeyError(f"no demo kind {key!r}")
    return import_module(f"app.demo.kinds.{key}").KIND


def kind_for(name: str) -> str:
    """The kind key for a county body's name (as get_kind takes it)."""
    for fragment, key in BY_NAME:
        if fragment in name:
            return key
    return f"government:{name}"
