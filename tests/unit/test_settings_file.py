"""The per-PC settings file written from two threads and two Settings objects at once (the
window saving its geometry while an exchange round on a worker thread records its outcome):
no key is lost and the file is always whole."""
from __future__ import annotations

import json
import threading

from app.settings import Settings

N = 150


def test_concurrent_saves_keep_every_key(tmp_path):
    path = tmp_path / "settings.json"
    window = Settings(path)
    window.last_db = "D:/单位/履职考评.sqlite"
    other = Settings(path)               # e.g. a command or a service that opened its own
    start = threading.Barrier(3)
    broken: list[Exception] = []

    def run(fn):
        def body():
            start.wait()
            try:
                for i in range(N):
                    fn(i)
            except Exception as exc:     # a torn write or a dict changed while saved
                broken.append(exc)
        return threading.Thread(target=body)

    threads = [run(lambda i: window.set_geometry(f"窗口{i}", f"g{i}")),
               run(lambda i: window.set_item("pc_exchange", f"db{i}", {"folder": f"Z:/{i}"})),
               run(lambda i: setattr(other, "last_login", f"user{i}"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert broken == []
    saved = Settings(path)
    assert saved.last_db == "D:/单位/履职考评.sqlite"
    assert saved.last_login == f"user{N - 1}"
    assert len(saved.geometries) == N and saved.geometry("窗口7") == "g7"
    assert len(saved.pc_exchange) == N and saved.pc_exchange["db9"] == {"folder": "Z:/9"}
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]    # no temporary file left


def test_a_second_object_does_not_undo_the_first_ones_keys(tmp_path):
    path = tmp_path / "settings.json"
    first, second = Settings(path), Settings(path)
    first.autosave_seconds = 5
    second.last_login = "admin"          # read before the first saved: must not write 2 back
    assert Settings(path).autosave_seconds == 5 and Settings(path).last_login == "admin"


def test_a_damaged_file_does_not_stop_saving(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{broken", encoding="utf-8")
    settings = Settings(path)
    assert settings.last_db == ""
    settings.last_db = "x.sqlite"
    assert json.loads(path.read_text(encoding="utf-8")) == {"last_db": "x.sqlite"}
