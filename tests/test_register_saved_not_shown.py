"""A write that is committed, then the database goes away: the editor is told so."""

from components import auth, register_editor
from layers.errors import StoreError


def _down(*_args, **_kwargs):
    raise StoreError(code="store.unavailable", params={"store": "db", "reason": "x"})


def test_a_committed_save_whose_view_cannot_be_read_back_says_saved(monkeypatch):
    """The message says it was saved (not "nothing was saved") and keeps the version."""
    monkeypatch.setattr(auth, "require_editor", lambda: {"username": "kari"})
    monkeypatch.setattr(register_editor, "_show_listing", _down)
    listing = {"premises_id": "demo-009", "version": 3, "title": "Lager"}

    def write(_user):
        return listing, "Lokalet «Lager» er lagt inn.", True

    out = register_editor._edit("nb", write)
    assert out["message"].startswith("Lokalet «Lager» er lagt inn.")
    assert "ikke oppdatert" in out["message"]
    assert "Ingenting ble lagret" not in out["message"]
    assert out["message_class"] == "register-message success"
    assert out["version"] == {"id": "demo-009", "version": 3}


def test_a_save_refused_by_a_database_that_is_down_says_nothing_was_saved(monkeypatch):
    """A fault in the write itself keeps the "nothing was saved" message."""
    monkeypatch.setattr(auth, "require_editor", lambda: {"username": "kari"})
    out = register_editor._edit("nb", _down)
    assert "Ingenting ble lagret" in out["message"]
    assert out["message_class"] == "register-message error"
