"""Viewer and editor roles (ui/auth.py): the rule as a pure function, the password throttle, the library page as
each kind of user sees it (AppTest), and `python -m loaders hash-password`.

With nothing configured the shipped `.streamlit/config.toml` makes the server local (server.address =
"localhost"), so every other library AppTest runs as a "local" editor; here the address is set per test.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.config import MAX_FILE_BYTES
from loaders.passwords import FREE_FAILURES, MAX_DELAY, Throttle, hash_password, verify_password
from tests.conftest import ROOT, SEEDS, app_maker, copy_library, snapshot
from ui import auth
from ui.auth import LOCAL, OIDC, PASSWORD, decide, is_loopback

PASSWORD_TEXT = "mật-khẩu biên tập 2026"
HASH = hash_password(PASSWORD_TEXT)
EDITOR = "bien.tap@langson.gov.vn"


def rule(**overrides: object) -> auth.Access:
    """`decide` with nothing configured on a local server, except `overrides`."""
    args: dict[str, object] = {
        "auth_configured": False,
        "user": {"email": "test@example.com"},
        "editors": [],
        "password_hash": "",
        "unlocked": None,
        "server_address": "localhost",
        "proxied": False,
    }
    return decide(**{**args, **overrides})


# ------------------------------------------------------------------------------------------ the rule


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("::1", True),
        ("[::1]", True),
        (None, False),  # Streamlit's default: every interface
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("dashboard.langson.local", False),
    ],
)
def test_only_loopback_addresses_count_as_local(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback


def test_with_nothing_configured_only_a_local_server_lets_people_edit() -> None:
    local = rule()
    assert (local.mode, local.can_edit, local.who) == (LOCAL, True, "local")
    network = rule(server_address="0.0.0.0")
    assert (network.mode, network.can_edit, network.who, network.reason) == (LOCAL, False, "", "reason_network")
    assert rule(server_address=None).can_edit is False
    proxied = rule(proxied=True)
    assert (proxied.can_edit, proxied.reason) == (False, "reason_proxied"), "a proxy on the same machine is not local"


def test_a_password_hash_replaces_the_local_rule() -> None:
    locked = rule(password_hash=HASH)
    assert (locked.mode, locked.can_edit, locked.reason) == (PASSWORD, False, "reason_password")
    assert rule(password_hash=HASH, server_address="0.0.0.0").can_edit is False
    unlocked = rule(password_hash=HASH, unlocked=auth.fingerprint(HASH), server_address="0.0.0.0")
    assert (unlocked.can_edit, unlocked.who) == (True, "password editor")
    # A session unlocked with an older password is locked once the hash changes.
    assert rule(password_hash=hash_password("another password"), unlocked=auth.fingerprint(HASH)).can_edit is False


def test_signed_in_editors_are_the_listed_e_mails() -> None:
    signed_in = {"is_logged_in": True, "email": "Bien.Tap@LangSon.gov.vn"}
    editor = rule(auth_configured=True, user=signed_in, editors=[EDITOR], password_hash=HASH)
    assert (editor.mode, editor.can_edit, editor.who) == (OIDC, True, "Bien.Tap@LangSon.gov.vn")
    other = rule(auth_configured=True, user={"is_logged_in": True, "email": "x@y.vn"}, editors=[EDITOR])
    assert (other.can_edit, other.reason, other.email) == (False, "reason_not_editor", "x@y.vn")
    out = rule(auth_configured=True, user={"is_logged_in": False}, editors=[EDITOR])
    assert (out.can_edit, out.reason) == (False, "reason_sign_in")
    # Signed-in sign-in wins over the password and the local rule: an unlocked password or localhost is not enough.
    assert rule(auth_configured=True, user={}, password_hash=HASH, unlocked=auth.fingerprint(HASH)).can_edit is False
    assert rule(auth_configured=True, user={"is_logged_in": True, "email": "x@y.vn"}, editors=[]).can_edit is False


# ------------------------------------------------------------------------------------------ the password


def test_hashes_are_salted_argon2_and_verify_only_the_password() -> None:
    other = hash_password(PASSWORD_TEXT)
    assert HASH.startswith("$argon2id$") and other != HASH
    assert verify_password(HASH, PASSWORD_TEXT) and verify_password(other, PASSWORD_TEXT)
    assert not verify_password(HASH, PASSWORD_TEXT.upper())
    assert not verify_password("not a hash", PASSWORD_TEXT)
    with pytest.raises(ValueError, match="at least 8"):
        hash_password("short")


def test_the_throttle_refuses_attempts_until_a_time_after_repeated_failures() -> None:
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    for _ in range(FREE_FAILURES - 1):
        assert throttle.check(HASH, "wrong") == (False, 0.0)
    ok, wait = throttle.check(HASH, "wrong")
    assert not ok and wait == 2.0
    ok, wait = throttle.check(HASH, PASSWORD_TEXT)
    assert (ok, wait) == (False, 2.0), "even the right password is refused, unchecked, while blocked"
    now[0] += 2.0
    ok, wait = throttle.check(HASH, "wrong")
    assert not ok and wait == 4.0, "each further failure doubles the wait"
    now[0] += 4.0
    assert throttle.check(HASH, PASSWORD_TEXT) == (True, 0.0)
    assert throttle.failures == 0 and throttle.wait() == 0.0, "a success resets it"
    for _ in range(40):
        now[0] += throttle.wait()
        throttle.check(HASH, "wrong")
    assert throttle.wait() == MAX_DELAY


def test_hash_password_round_trip_from_stdin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "hash-password", "--stdin"],
        cwd=ROOT,
        input=PASSWORD_TEXT + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip()
    assert verify_password(printed, PASSWORD_TEXT) and not verify_password(printed, PASSWORD_TEXT + "\n")
    assert PASSWORD_TEXT not in result.stdout + result.stderr, "the password itself is never printed"
    assert "editor_password_hash" in result.stderr
    short = subprocess.run(
        [sys.executable, "-m", "loaders", "hash-password", "--stdin"],
        cwd=ROOT,
        input="abc\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert short.returncode == 1 and short.stdout == "" and "at least 8" in short.stderr


def test_hash_password_asks_twice_without_echo(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from loaders.__main__ import main

    answers = iter([PASSWORD_TEXT, PASSWORD_TEXT + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["hash-password"]) == 1
    assert "differ" in capsys.readouterr().err
    answers = iter([PASSWORD_TEXT, PASSWORD_TEXT])
    assert main(["hash-password"]) == 0
    assert verify_password(capsys.readouterr().out.strip(), PASSWORD_TEXT)


# ------------------------------------------------------------------------------------------ shipped settings


def test_the_shipped_config_is_local_and_limits_uploads_to_the_loaders_limit() -> None:
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert is_loopback(server["address"])
    assert server["maxUploadSize"] * 2**20 == MAX_FILE_BYTES


# ------------------------------------------------------------------------------------------ the page (AppTest)


@pytest.fixture
def lib_root(tmp_path: Path) -> Path:
    return copy_library(tmp_path / "library")


@pytest.fixture
def make_app(lib_root: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    monkeypatch.setattr(auth, "THROTTLE", Throttle())
    monkeypatch.delenv("DASHBOARD_EDITOR_PASSWORD_HASH", raising=False)
    return app_maker(lib_root, monkeypatch)


def on_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "server_address", lambda: "0.0.0.0")


def library_page(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("pages/library.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def editing_controls(at: AppTest) -> set[str]:
    """What of the editing interface the page shows."""
    shown = {"uploader"} if at.file_uploader else set()
    keys = {b.key for b in at.button} | {s.key for s in at.selectbox} | {c.key or "" for c in at.checkbox}
    shown |= {k for k in ("library_remove", "library_restore", "library_remove_pick") if k in keys}
    shown |= {"remove_confirm"} if any(k.startswith("library_remove_ok_") for k in keys) else set()
    return shown


#: The editing interface with a digest in the trash.
EVERY_CONTROL = {"uploader", "library_remove_pick", "remove_confirm", "library_remove", "library_restore"}


def has_trash(lib_root: Path) -> None:
    from loaders.library import Library

    Library(lib_root).remove(SEEDS[0].name)  # so that the trash (and its restore button) is on the page


def test_with_nothing_configured_a_local_server_shows_the_editing_controls(
    make_app: Callable[..., AppTest], lib_root: Path
) -> None:
    has_trash(lib_root)
    at = library_page(make_app())
    assert editing_controls(at) == EVERY_CONTROL
    assert any("localhost" in c.value for c in at.caption)


def test_on_the_network_with_nothing_configured_the_page_is_read_only_and_says_how_to_enable_editing(
    make_app: Callable[..., AppTest], lib_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    has_trash(lib_root)
    on_network(monkeypatch)
    at = library_page(make_app())
    assert editing_controls(at) == set()
    info = " ".join(i.value for i in at.info)
    assert "hash-password" in info and "secrets.toml" in info and "localhost" in info
    # The library, its trash and the change log are still shown to viewers.
    assert len(at.dataframe) == 3
    at = library_page(make_app(lang="English"))
    assert "read-only" in " ".join(i.value for i in at.info)


def test_the_password_unlocks_editing_a_wrong_one_does_not_and_lock_ends_it(
    make_app: Callable[..., AppTest], lib_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    has_trash(lib_root)
    on_network(monkeypatch)
    at = make_app()
    at.secrets["dashboard"] = {"editor_password_hash": HASH}
    library_page(at)
    assert editing_controls(at) == set()
    before = snapshot(lib_root)

    at.text_input(key=auth.PASSWORD_KEY).input("mật khẩu sai")
    submit(at)
    assert editing_controls(at) == set()
    assert any("Sai mật khẩu" in e.value for e in at.error)

    at.text_input(key=auth.PASSWORD_KEY).input(PASSWORD_TEXT)
    submit(at)
    assert not at.exception
    assert editing_controls(at) == EVERY_CONTROL
    assert auth.PASSWORD_KEY not in at.session_state or not at.session_state[auth.PASSWORD_KEY]
    assert snapshot(lib_root) == before

    at.button(key="auth_lock").click().run()
    assert editing_controls(at) == set()


def submit(at: AppTest) -> AppTest:
    """Submit the password form."""
    button = next(b for b in at.button if b.label in ("Mở khóa chỉnh sửa", "Unlock editing"))
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_repeated_wrong_passwords_make_people_wait(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_network(monkeypatch)
    at = make_app()
    at.secrets["dashboard"] = {"editor_password_hash": HASH}
    library_page(at)
    for _ in range(FREE_FAILURES):
        at.text_input(key=auth.PASSWORD_KEY).input("sai")
        submit(at)
    at.text_input(key=auth.PASSWORD_KEY).input(PASSWORD_TEXT)
    submit(at)
    assert editing_controls(at) == set(), "the right password is refused while attempts are blocked"
    assert any("thử lại sau" in e.value for e in at.error)


@pytest.mark.parametrize(
    ("user", "editing", "says"),
    [
        ({"is_logged_in": True, "email": "Bien.Tap@langson.gov.vn"}, True, "Bien"),
        ({"is_logged_in": True, "email": "khach@example.com"}, False, "khach@example"),
        ({"is_logged_in": False}, False, "đăng nhập"),
    ],
    ids=["listed-editor", "signed-in-viewer", "signed-out"],
)
def test_signed_in_users_edit_only_when_listed(
    make_app: Callable[..., AppTest], lib_root: Path, user: dict, editing: bool, says: str
) -> None:
    has_trash(lib_root)
    at = make_app()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.secrets["dashboard"] = {"editors": [EDITOR], "editor_password_hash": HASH}
    at.user = user
    library_page(at)
    assert bool(editing_controls(at)) is editing
    texts = " ".join(x.value for x in [*at.info, *at.caption])
    assert says in texts.replace("\\", "")
    keys = {b.key for b in at.button}
    assert ("auth_sign_in" in keys) is (not user.get("is_logged_in"))
    assert ("auth_sign_out" in keys) is bool(user.get("is_logged_in"))
    assert not any(t.key == auth.PASSWORD_KEY for t in at.text_input), "no password form when sign-in is configured"


def test_a_callback_of_a_viewer_is_refused_and_changes_nothing(
    make_app: Callable[..., AppTest], lib_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The buttons are hidden from viewers; the callbacks check again (a role can change between runs)."""
    at = library_page(make_app())
    before = snapshot(lib_root)
    confirm = next(c for c in at.checkbox if (c.key or "").startswith("library_remove_ok_"))
    confirm.check().run()
    on_network(monkeypatch)  # the server's role rule changes between the run that drew the button and the click
    at.button(key="library_remove").click().run()
    assert not at.exception
    assert any("không có quyền" in e.value for e in at.error)
    assert snapshot(lib_root) == before


def test_every_text_of_the_roles_exists_in_both_languages() -> None:
    import re

    from ui.i18n import catalog

    source = (ROOT / "ui" / "auth.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'\bt\("auth\.([a-z_]+)"', source))
    keys |= {f"editing_{mode}" for mode in (OIDC, PASSWORD, LOCAL)}
    keys |= {
        "reason_sign_in",
        "reason_not_editor",
        "reason_password",
        "reason_network",
        "reason_proxied",
        "not_allowed",
    }
    assert set(re.findall(r'reason="(reason_[a-z_]+)"', source)) <= keys
    texts = catalog()["ui"]["auth"]
    assert [k for k in sorted(keys) if not (texts.get(k, {}).get("vi") and texts.get(k, {}).get("en"))] == []
