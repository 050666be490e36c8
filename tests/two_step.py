"""Two-step sign-in for the tests: an authenticator app's arithmetic, done here from the
setup key the page shows, as a phone would, and the steps of turning it on."""

import base64
import hashlib
import hmac
import re
import struct
import time

from django.test import Client

SETUP_KEY = re.compile(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"')
RECOVERY_CODES = re.compile(r'<textarea id="recovery_codes"[^>]*>([^<]*)</textarea>')


def totp_code(secret: str, *, at: float | None = None, period: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows (RFC 6238, HMAC-SHA1 as RFC 4226 §5.3)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def password_confirm(client: Client, *, password: str) -> None:
    """allauth asks for the password again before any change to how someone signs in."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response


def authenticator_app_turn_on(client: Client, *, password: str) -> tuple[str, list[str]]:
    """Through the pages, as someone signed in: confirm the password (allauth asks before
    any change to sign-in), read the setup key, answer with the app's code. Returns the
    secret and the recovery codes the site then shows."""
    page = client.get("/accounts/2fa/totp/activate/", follow=True)
    if page.redirect_chain:
        assert page.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
        page = client.post(page.redirect_chain[-1][0], {"password": password}, follow=True)
    assert page.status_code == 200
    secret = SETUP_KEY.search(page.content.decode()).group(1)
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)}, follow=True)
    assert done.status_code == 200
    codes = RECOVERY_CODES.search(done.content.decode()).group(1).split()
    return secret, codes
