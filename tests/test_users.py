"""Register editors' accounts: hashing, checks, lockout and the command line."""

import argparse
import contextlib
import io
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pytest
from shapely.geometry import box
from werkzeug.security import check_password_hash

from layers import users, users_cli
from layers.errors import InputError
from layers.schemas import CRS

PASSWORD = "korrekt hest batteri"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(new_store):
    """A store holding only a boundary square around Lørenskog (both backends)."""
    boundary = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.90, 59.83, 11.04, 59.96)],
        crs=CRS,
    )
    s = new_store()
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    s.locator = new_store.locator(s)
    return s


@pytest.fixture
def kari(store):
    """The store with an editor 'kari'."""
    users.add_user(store, "kari", PASSWORD, "editor")
    return store


def _stored_hash(store, name):
    with contextlib.closing(store.connect()) as con:
        query = "SELECT password_hash FROM users WHERE username = ?"
        return con.execute(query, (name,)).fetchone()[0]


def _fail(store, times, now=T0):
    for _ in range(times):
        assert users.authenticate(store, "kari", "feil passord!", now=now) is None


def test_password_is_stored_as_a_verifiable_hash(kari):
    """The stored hash is not the password but verifies it (scrypt)."""
    hashed = _stored_hash(kari, "kari")
    assert hashed != PASSWORD and PASSWORD not in hashed
    assert hashed.startswith("scrypt:") and check_password_hash(hashed, PASSWORD)


def test_right_password_authenticates_without_the_hash(kari):
    """A good login returns the account, role included, without its hash."""
    user = users.authenticate(kari, "kari", PASSWORD)
    assert (user["username"], user["role"]) == ("kari", "editor")
    assert "password_hash" not in user


def test_wrong_password_and_unknown_user_give_none(kari):
    """A bad password or an unknown name does not authenticate."""
    assert users.authenticate(kari, "kari", "feil passord!") is None
    assert users.authenticate(kari, "nobody", PASSWORD) is None


def test_unknown_user_still_checks_a_hash(kari, monkeypatch):
    """An unknown name costs a hash check, like a known one."""
    checked = []
    real = users.check_password_hash
    monkeypatch.setattr(
        users, "check_password_hash", lambda h, p: checked.append(h) or real(h, p)
    )
    users.authenticate(kari, "nobody", PASSWORD)
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


@pytest.mark.parametrize("name", ["ab", "Kari", "kari nordmann", "x" * 41, "kåri"])
def test_bad_user_names_are_refused(store, name):
    """Names must be 3-40 characters of a-z, 0-9, '.', '_' or '-'."""
    with pytest.raises(InputError, match="user name"):
        users.add_user(store, name, PASSWORD, "editor")


def test_short_password_is_refused(store):
    """A password under 12 characters is refused."""
    with pytest.raises(InputError, match="at least 12"):
        users.add_user(store, "kari", "elleve-tegn", "editor")


def test_unknown_role_is_refused(store):
    """Only editor and admin are roles."""
    with pytest.raises(InputError, match="role"):
        users.add_user(store, "kari", PASSWORD, "superuser")


def test_duplicate_user_is_refused(kari):
    """Adding an existing name is an InputError."""
    with pytest.raises(InputError, match="exists already"):
        users.add_user(kari, "kari", PASSWORD, "admin")


def test_five_failures_lock_the_account(kari):
    """The fifth consecutive failure locks the account for 15 minutes."""
    _fail(kari, 4)
    with pytest.raises(users.LockedError) as info:
        users.authenticate(kari, "kari", "feil passord!", now=T0)
    assert info.value.until == "2025-03-01T09:15:00Z"


def test_locked_account_refuses_the_right_password(kari):
    """While locked, even the right password is refused."""
    _fail(kari, 4)
    with contextlib.suppress(users.LockedError):
        users.authenticate(kari, "kari", "feil passord!", now=T0)
    with pytest.raises(users.LockedError):
        users.authenticate(kari, "kari", PASSWORD, now=T0 + timedelta(minutes=14))


def test_lock_ends_after_15_minutes(kari):
    """After 15 minutes the right password works again."""
    _fail(kari, 4)
    with contextlib.suppress(users.LockedError):
        users.authenticate(kari, "kari", "feil passord!", now=T0)
    later = T0 + timedelta(minutes=15, seconds=1)
    assert users.authenticate(kari, "kari", PASSWORD, now=later)["username"] == "kari"


def test_success_resets_the_failure_count(kari):
    """A good login in between restarts the count of failures."""
    _fail(kari, 4)
    users.authenticate(kari, "kari", PASSWORD, now=T0)
    _fail(kari, 4)
    assert users.list_users(kari)[0]["failed_logins"] == 4


def test_set_password_replaces_it_and_unlocks(kari):
    """A new password works, the old one not, and the lock is lifted."""
    _fail(kari, 4)
    with contextlib.suppress(users.LockedError):
        users.authenticate(kari, "kari", "feil passord!", now=T0)
    users.set_password(kari, "kari", "et helt nytt passord")
    assert users.authenticate(kari, "kari", PASSWORD, now=T0) is None
    assert users.authenticate(kari, "kari", "et helt nytt passord", now=T0)


def test_delete_and_list_users(kari):
    """Deleted users disappear from the list; listed users carry no hash."""
    users.add_user(kari, "ola.admin", PASSWORD, "admin")
    users.delete_user(kari, "kari")
    listed = users.list_users(kari)
    assert [u["username"] for u in listed] == ["ola.admin"]
    assert "password_hash" not in listed[0]


def test_deleting_an_unknown_user_is_refused(store):
    """Deleting a name that does not exist is an InputError."""
    with pytest.raises(InputError, match="no user"):
        users.delete_user(store, "nobody")


def _cli(argv, answers):
    parser = argparse.ArgumentParser()
    users_cli.add_users_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    prompts = iter(answers)
    out, err = io.StringIO(), io.StringIO()
    code = users_cli.main_users(args, getpass=lambda _: next(prompts), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_cli_adds_a_user_with_a_password_typed_twice(store):
    """`users add` asks twice and stores a working account."""
    argv = ["users", "add", "kari", "--role", "admin", "--store", store.locator]
    code, _ = _cli(argv, [PASSWORD, PASSWORD])
    assert code == 0
    assert users.authenticate(store, "kari", PASSWORD)["role"] == "admin"


def test_cli_refuses_differing_passwords(store):
    """Two different answers add nobody and exit with 2."""
    argv = ["users", "add", "kari", "--role", "editor", "--store", store.locator]
    code, text = _cli(argv, [PASSWORD, PASSWORD + "x"])
    assert code == 2 and "differ" in text
    assert users.list_users(store) == []


def test_cli_without_store_is_a_store_error(tmp_path):
    """A missing store file exits with 3 before asking for a password."""
    argv = ["users", "add", "kari", "--role", "editor", "--store", str(tmp_path / "x")]
    code, text = _cli(argv, [])
    assert code == 3 and "does not exist" in text


def test_cli_lists_users(kari):
    """`users list` prints one line per account."""
    code, text = _cli(["users", "list", "--store", kari.locator], [])
    assert code == 0 and text.split()[:2] == ["kari", "editor"]
