"""Who may change the library: everyone views, only editors upload, fetch, replace, remove or restore.

An editor is, in this order of precedence:

1. when `[auth]` (Streamlit's OIDC sign-in, `st.login`) is configured in `.streamlit/secrets.toml`: a signed-in
   user whose e-mail is listed in `[dashboard] editors`;
2. else, when an editor password hash is configured (`[dashboard] editor_password_hash` in the secrets, or
   $DASHBOARD_EDITOR_PASSWORD_HASH; made by `python -m loaders hash-password`): a session that entered the
   password (attempts slowed after failures, `loaders.passwords.Throttle`);
3. else, with nothing configured: anyone, but only while the server listens on loopback (`server.address`
   localhost, 127.0.0.1 or ::1, as `.streamlit/config.toml` ships) and the request did not come through a
   reverse proxy (which would make every office user "local").

`decide` is the rule, a pure function; `access()` feeds it what Streamlit knows; `can_edit()` is what pages and
callbacks ask; `panel()` is the one place that shows who edits and why editing is off.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from loaders.passwords import PASSWORD_HASH_ENV, Throttle, looks_like_hash
from ui.i18n import t
from ui.safe import md_escape

OIDC, PASSWORD, LOCAL = "oidc", "password", "local"
#: How the audit log names a password editor and a local one (OIDC editors are named by their e-mail).
PASSWORD_EDITOR, LOCAL_EDITOR = "password editor", "local"
#: Request headers a reverse proxy adds: their presence means the user is not on the server's machine.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")

UNLOCK_KEY = "_auth_unlocked"  # fingerprint of the password hash this session unlocked
PASSWORD_KEY = "auth_password"  # the password field
MESSAGE_KEY = "_auth_message"  # (kind, text) of the last unlock attempt, shown once

#: One per server process: every session's failures count, so new sessions do not reset the delay.
THROTTLE = Throttle()


@dataclass(frozen=True)
class Access:
    """What the current user may do, and why."""

    mode: str  # OIDC, PASSWORD or LOCAL: how editors are recognised on this server
    can_edit: bool
    who: str = ""  # the editor, as the audit log names them ("" when not an editor)
    reason: str = ""  # i18n key (under "auth.") saying why editing is off ("" when on)
    email: str = ""  # the signed-in user's e-mail, when signed in


def is_loopback(address: str | None) -> bool:
    """True for an address only this machine can reach (localhost, 127.x.x.x, ::1); None or "" means every
    interface (Streamlit's default)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def fingerprint(password_hash: str) -> str:
    """What a session remembers of the hash it unlocked: a new password locks every open session."""
    return hashlib.sha256(password_hash.strip().encode()).hexdigest()[:16]


def decide(
    *,
    auth_configured: bool,
    user: Mapping[str, Any],
    editors: Iterable[str],
    password_hash: str,
    unlocked: str | None,
    server_address: str | None,
    proxied: bool,
) -> Access:
    """The access rule (see the module docstring), from what the server knows about this request.

    `user` is st.user's content; `unlocked` the fingerprint this session unlocked with the password, if any.
    """
    if auth_configured:
        email = str(user.get("email") or "") if user.get("is_logged_in") else ""
        allowed = {e.strip().casefold() for e in editors if e.strip()}
        if not email:
            return Access(OIDC, False, reason="reason_sign_in")
        if email.casefold() in allowed:
            return Access(OIDC, True, who=email, email=email)
        return Access(OIDC, False, reason="reason_not_editor", email=email)
    if password_hash:
        if unlocked and unlocked == fingerprint(password_hash):
            return Access(PASSWORD, True, who=PASSWORD_EDITOR)
        return Access(PASSWORD, False, reason="reason_password")
    if not is_loopback(server_address):
        return Access(LOCAL, False, reason="reason_network")
    if proxied:
        return Access(LOCAL, False, reason="reason_proxied")
    return Access(LOCAL, True, who=LOCAL_EDITOR)


# ------------------------------------------------------------------------------------------ Streamlit glue


def _secrets(section: str) -> Mapping[str, Any]:
    """A section of .streamlit/secrets.toml ({} when there is no secrets file or no such section)."""
    try:
        value = st.secrets.get(section)
    except FileNotFoundError:  # no secrets.toml at all (Streamlit's error is a FileNotFoundError)
        return {}
    return value if isinstance(value, Mapping) else {}


def password_hash() -> str:
    """The configured editor password hash ("" when none; a value that is not an argon2 hash is ignored)."""
    value = str(_secrets("dashboard").get("editor_password_hash") or os.environ.get(PASSWORD_HASH_ENV) or "")
    return value.strip() if looks_like_hash(value) else ""


def server_address() -> str | None:
    """The address the server listens on (`server.address`)."""
    return st.get_option("server.address")


def _proxied() -> bool:
    try:
        headers = {str(k).lower() for k in st.context.headers}
    except Exception:  # no request context (bare script): not proxied
        return False
    return any(h in headers for h in PROXY_HEADERS)


def access() -> Access:
    """The current user's access (cheap: computed on every call, so a change of secrets applies at once)."""
    editors = _secrets("dashboard").get("editors") or []
    return decide(
        auth_configured=bool(_secrets("auth")),
        user=st.user.to_dict(),
        editors=[editors] if isinstance(editors, str) else [str(e) for e in editors],
        password_hash=password_hash(),
        unlocked=st.session_state.get(UNLOCK_KEY),
        server_address=server_address(),
        proxied=_proxied(),
    )


def can_edit() -> bool:
    """True when the current user may upload, fetch, replace, remove or restore."""
    return access().can_edit


def editor() -> str:
    """Who is editing, for the audit log ("" when the current user is not an editor)."""
    return access().who


def _unlock() -> None:
    """The password form's callback: unlock this session, or say why not."""
    entered = str(st.session_state.get(PASSWORD_KEY) or "")  # the form clears it on submit
    stored = password_hash()
    if not stored or not entered:
        return
    ok, wait = THROTTLE.check(stored, entered)
    if ok:
        st.session_state[UNLOCK_KEY] = fingerprint(stored)
        st.session_state[MESSAGE_KEY] = ("success", t("auth.unlocked"))
    elif wait:
        st.session_state[MESSAGE_KEY] = ("error", t("auth.wait", seconds=max(1, round(wait))))
    else:
        st.session_state[MESSAGE_KEY] = ("error", t("auth.wrong_password"))


def _lock() -> None:
    st.session_state.pop(UNLOCK_KEY, None)
    st.session_state[MESSAGE_KEY] = ("info", t("auth.locked"))


def panel(current: Access) -> None:
    """Who edits (with sign-out / lock), or why editing is off and how to turn it on (sign-in / password)."""
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        kind, text = message
        {"success": st.success, "error": st.error}.get(kind, st.info)(text)
    if current.can_edit:
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption(t(f"auth.editing_{current.mode}", who=md_escape(current.who)))
        if current.mode == PASSWORD:
            row.button(t("auth.lock"), icon=":material/lock:", key="auth_lock", on_click=_lock)
        elif current.mode == OIDC:
            row.button(t("auth.sign_out"), icon=":material/logout:", key="auth_sign_out", on_click=st.logout)
        return
    st.info(t(f"auth.{current.reason}", email=md_escape(current.email)), icon=":material/lock:")
    if current.mode == OIDC:
        if current.email:
            st.button(t("auth.sign_out"), icon=":material/logout:", key="auth_sign_out", on_click=st.logout)
        else:
            st.button(t("auth.sign_in"), icon=":material/login:", key="auth_sign_in", on_click=st.login)
    elif current.mode == PASSWORD:
        with st.form("auth_unlock", clear_on_submit=True, enter_to_submit=True):
            st.text_input(t("auth.password"), type="password", key=PASSWORD_KEY, autocomplete="current-password")
            st.form_submit_button(t("auth.unlock"), icon=":material/lock_open:", on_click=_unlock)
