"""The production shape, end to end: `make prod-check`.

Starts Debian's nginx with deploy/nginx/backinshape.conf (rendered for a temporary
directory and a throwaway self-signed certificate), two gunicorns behind its upstream,
a Celery worker and beat, a throwaway PostgreSQL database, Redis databases of its own, an
SMTP sink and a local S3 stand-in (moto). Then, over HTTPS through nginx, it does what a
new visitor does, and prints one PASS/FAIL line per check. It stops everything it started
and exits non-zero if any check failed.

Needs: nginx and openssl on PATH, PostgreSQL and Redis running.
  PROD_CHECK_DATABASE_URL  a server to create the throwaway database on
                           (default postgres://postgres@127.0.0.1:5432/postgres)
  PROD_CHECK_REDIS_URL     default redis://127.0.0.1:6379
  PROD_CHECK_REDIS_DBS     broker and cache DB numbers, default "14,15" (both flushed)
"""

import base64
import contextlib
import email
import email.policy
import hashlib
import hmac
import html
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import boto3
import psycopg
import redis
import requests
from aiosmtpd.controller import Controller
from moto.server import ThreadedMotoServer
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
BUCKET = "backinshape-prod-check"
STAFF_EMAIL = "prod-check-staff@example.com"
MEMBER_EMAIL = "new.member@example.com"
SUBSCRIBER_EMAIL = "new.subscriber@example.com"
PASSWORD = "Correct-Horse-" + secrets.token_hex(6)
# Production requires staff to have a second step (STAFF_REQUIRE_MFA): the check's staff
# account gets an authenticator app with this secret, and answers with its codes.
TOTP_SECRET = base64.b32encode(secrets.token_bytes(20)).decode()

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok, detail))
    line = f"{'PASS' if ok else 'FAIL'}  {name}"
    if detail and not ok:
        line += f"  ({detail})"
    print(line, flush=True)
    return ok


def totp_code(secret: str) -> str:
    """What an authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    digest = hmac.new(
        base64.b32decode(secret), struct.pack(">Q", int(time.time() // 30)), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 1_000_000).zfill(6)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


# --- What the check starts, and stops --------------------------------------------------------


class Processes:
    """Every child in its own process group, so stopping it stops its children too."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append((name, proc))
        return proc

    def stop_all(self) -> None:
        for _name, proc in reversed(self.children):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.children):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


class SmtpSink:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def text_to(self, address: str) -> str:
        bodies = []
        for message in self.messages:
            if address in str(message.get("To", "")):
                part = message.get_body(preferencelist=("plain", "html"))
                bodies.append(part.get_content() if part else "")
        return "\n".join(bodies)


def render_nginx(tmp: Path, *, http_port, https_port, upstreams, cert, key, static_root, media):
    """deploy/nginx/backinshape.conf with its `# CHANGE` values filled in for this check."""
    site = (ROOT / "deploy/nginx/backinshape.conf").read_text()
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    replacements = [
        (r"server 127\.0\.0\.1:8000", f"server 127.0.0.1:{upstreams[0]}"),
        (r"server 127\.0\.0\.1:8001", f"server 127.0.0.1:{upstreams[1]}"),
        (r"proxy_cache_path \S+", f"proxy_cache_path {tmp / 'cache'}"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
        (r"server_name \S+;", "server_name localhost;"),
        (
            r"access_log /var/log/nginx/backinshape\.access\.log",
            f"access_log {tmp / 'logs' / 'nginx-access.log'}",
        ),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
        (r"alias /srv/backinshape/staticfiles/;", f"alias {static_root}/;"),
        (r"alias /srv/backinshape/media/;", f"alias {media}/;"),
        # The redirect goes to the default port 443 in production; here, to ours.
        (r"https://\$host\$request_uri", f"https://$host:{https_port}$request_uri"),
        # $host has no port either; links in emails must carry ours (443 needs none).
        (r"proxy_set_header Host \$host;", f"proxy_set_header Host $host:{https_port};"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement.replace("\\", "\\\\"), site)
        if count == 0:
            raise SystemExit(f"prod-check: {pattern!r} is no longer in the nginx config")
    (tmp / "site.conf").write_text(site)
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "logs" / "nginx-access.log"};
    client_body_temp_path {tmp / "nginx-body"};
    proxy_temp_path {tmp / "nginx-proxy"};
    fastcgi_temp_path {tmp / "nginx-fastcgi"};
    uwsgi_temp_path {tmp / "nginx-uwsgi"};
    scgi_temp_path {tmp / "nginx-scgi"};
    include {tmp / "site.conf"};
}}
"""
    (tmp / "nginx.conf").write_text(main)
    return tmp / "nginx.conf"


# --- A visitor: requests bound to one loopback address --------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def visitor(source: str, cert: Path) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify=
    session.verify = str(cert)
    adapter = SourceAddressAdapter(source)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class FormParser(HTMLParser):
    """Every <form> on a page with the values a browser would send as they stand."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "id": a.get("id", "")}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            self._form["fields"].append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = {"name": name, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"].append(value)
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            for value in self._select["chosen"]:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            text = self._textarea["text"]
            self._form["fields"].append((self._textarea["name"], text.removeprefix("\n")))
            self._textarea = None


def forms_on(page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


def form_with(page: str, field: str) -> dict:
    for form in forms_on(page):
        if any(name == field for name, _ in form["fields"]):
            return form
    raise LookupError(f"no form with a {field!r} field")


def filled(form: dict, **values) -> list[tuple[str, str]]:
    fields = [(name, value) for name, value in form["fields"] if name not in values]
    return fields + list(values.items())


def link_in(text: str, path_pattern: str) -> str | None:
    match = re.search(r"https://[^\s\"'<>]+" + path_pattern + r"[^\s\"'<>]*", text)
    return html.unescape(match.group(0)) if match else None


# --- The walk-through -------------------------------------------------------------------------


def walk(base: str, http_base: str, cert: Path, sink: SmtpSink, moto_base: str, procs) -> None:
    me = visitor("127.0.0.1", cert)
    origin = {"Origin": base}

    # Security headers and the redirect.
    home = me.get(f"{base}/", timeout=10)
    check("home page over HTTPS through nginx", home.status_code == 200, str(home.status_code))
    headers = home.headers
    check(
        "HSTS",
        "max-age=31536000" in headers.get("Strict-Transport-Security", ""),
        headers.get("Strict-Transport-Security", "missing"),
    )
    check(
        "Content-Security-Policy",
        "default-src 'self'" in headers.get("Content-Security-Policy", ""),
    )
    check("X-Content-Type-Options", headers.get("X-Content-Type-Options") == "nosniff")
    check("Referrer-Policy", headers.get("Referrer-Policy") == "strict-origin-when-cross-origin")
    check("Permissions-Policy", "camera=()" in headers.get("Permissions-Policy", ""))
    check(
        "no server version",
        headers.get("Server") == "nginx" and not re.search(r"\d", headers.get("Server", "")),
        headers.get("Server", ""),
    )
    check("request id echoed", bool(re.fullmatch(r"[0-9a-f]{32}", headers.get("X-Request-ID", ""))))
    check(
        "anonymous page is public in caches",
        headers.get("Cache-Control", "").startswith("public"),
        headers.get("Cache-Control", ""),
    )
    again = me.get(f"{base}/", timeout=10)
    check(
        "nginx micro-cache serves the anonymous page",
        again.headers.get("X-Proxy-Cache") in ("HIT", "UPDATING", "REVALIDATED"),
        again.headers.get("X-Proxy-Cache", "no header"),
    )
    redirect = me.get(f"{http_base}/episodes/?x=1", allow_redirects=False, timeout=10)
    check(
        "HTTP redirects to HTTPS",
        redirect.status_code == 301 and redirect.headers.get("Location") == f"{base}/episodes/?x=1",
        f"{redirect.status_code} {redirect.headers.get('Location')}",
    )
    static = re.search(r'href="(/static/[^"]+\.css)"', home.text)
    if static:
        css = me.get(base + static.group(1), timeout=10)
        check(
            "static files from nginx, cached for ever",
            css.status_code == 200 and "immutable" in css.headers.get("Cache-Control", ""),
            f"{css.status_code} {css.headers.get('Cache-Control')}",
        )
    else:
        check("static files from nginx, cached for ever", False, "no stylesheet link on /")

    # Read an episode.
    slugs = re.findall(r'href="/episodes/([a-z0-9-]+)/"', home.text)
    slug = slugs[0] if slugs else ""
    article = me.get(f"{base}/episodes/{slug}/", timeout=10)
    check("read an episode", bool(slug) and article.status_code == 200, f"/episodes/{slug}/")

    # Sign up and verify by the emailed link.
    signup_page = me.get(f"{base}/accounts/signup/", timeout=10)
    form = form_with(signup_page.text, "password1")
    response = me.post(
        f"{base}/accounts/signup/",
        data=filled(
            form,
            email=MEMBER_EMAIL,
            display_name="Newcomer",
            password1=PASSWORD,
            password2=PASSWORD,
        ),
        headers={"Referer": f"{base}/accounts/signup/"},
        timeout=20,
    )
    check(
        "sign up",
        response.status_code == 200 and "/accounts/confirm-email/" in response.url,
        f"{response.status_code} {response.url}",
    )
    confirm = wait_until(
        lambda: link_in(sink.text_to(MEMBER_EMAIL), "/accounts/confirm-email/"), timeout=20
    )
    check(
        "verification email arrives with a link to this site",
        bool(confirm) and confirm.startswith(base + "/"),
        str(confirm),
    )
    if confirm:
        page = me.get(confirm, timeout=10)
        form = forms_on(page.text)[-1]
        for candidate in forms_on(page.text):
            if "confirm-email" in candidate["action"] or candidate["action"] == "":
                form = candidate
        done = me.post(
            urljoin(confirm, form["action"] or confirm),
            data=form["fields"],
            headers={"Referer": confirm},
            timeout=10,
        )
        account = me.get(f"{base}/account/", timeout=10)
        check(
            "verify the email and land signed in",
            done.status_code == 200
            and account.status_code == 200
            and "/accounts/login" not in account.url,
            f"{done.status_code} {account.url}",
        )
        check(
            "a signed-in page is private",
            account.headers.get("Cache-Control", "").startswith("private"),
            account.headers.get("Cache-Control", ""),
        )

    # Comment as the new member (a verified email posts at once).
    page = me.get(f"{base}/episodes/{slug}/", timeout=10)
    body = f"Tried the morning routine, thank you. ({secrets.token_hex(3)})"
    try:
        form = form_with(page.text, "body")
        posted = me.post(
            f"{base}/episodes/{slug}/comments/",
            data=filled(form, body=body),
            headers={"Referer": f"{base}/episodes/{slug}/", **origin},
            timeout=10,
        )
        check(
            "comment, live at once",
            posted.status_code == 200 and body in posted.text,
            str(posted.status_code),
        )
    except LookupError as error:
        check("comment, live at once", False, str(error))

    # Subscribe to the Sunday email and confirm.
    guest = visitor("127.0.0.1", cert)
    page = guest.get(f"{base}/subscribe/", timeout=10)
    form = form_with(page.text, "email")
    sent = guest.post(
        f"{base}/subscribe/",
        data=filled(form, email=SUBSCRIBER_EMAIL),
        headers={"Referer": f"{base}/subscribe/", **origin},
        timeout=10,
    )
    check("subscribe to the Sunday email", sent.status_code == 200, str(sent.status_code))
    link = wait_until(
        lambda: link_in(sink.text_to(SUBSCRIBER_EMAIL), "/subscribe/confirm/"), timeout=20
    )
    check("confirmation email arrives", bool(link) and link.startswith(base + "/"), str(link))
    if link:
        page = guest.get(link, timeout=10)
        form = forms_on(page.text)[-1]
        for candidate in forms_on(page.text):
            if "subscribe/confirm" in candidate["action"] or candidate["action"] == "":
                form = candidate
        done = guest.post(
            urljoin(link, form["action"] or link),
            data=form["fields"],
            headers={"Referer": link, **origin},
            allow_redirects=False,
            timeout=10,
        )
        check("confirm the subscription", done.status_code == 302, str(done.status_code))
        # The home page it lands on is in nginx's micro-cache (another visitor just read
        # it), yet this visitor's message waits in a cookie: nginx must not answer for Django.
        other = visitor("127.0.0.1", cert)
        for _ in range(2):
            other.get(f"{base}/", timeout=10)
        landing = guest.get(urljoin(link, done.headers.get("Location", "/")), timeout=10)
        check(
            "the confirmation message shows on the cached home page",
            "You're subscribed" in html.unescape(landing.text),
            f"X-Proxy-Cache: {landing.headers.get('X-Proxy-Cache', 'none')}",
        )

    # Upload an episode's audio in the admin, then fetch it with a Range header.
    staff = visitor("127.0.0.1", cert)
    page = staff.get(f"{base}/admin/login/", timeout=10)
    form = form_with(page.text, "password")
    second_step = staff.post(
        f"{base}/admin/login/?next=/admin/",
        data=filled(form, username=STAFF_EMAIL, password=PASSWORD),
        headers={"Referer": f"{base}/admin/login/"},
        timeout=10,
    )
    check(
        "the admin asks staff for their second step",
        urlsplit(second_step.url).path == "/accounts/2fa/authenticate/",
        second_step.url,
    )
    signed_in = staff.post(
        second_step.url,
        data=filled(form_with(second_step.text, "code"), code=totp_code(TOTP_SECRET)),
        headers={"Referer": second_step.url},
        timeout=10,
    )
    check(
        "staff signs in to the admin", signed_in.url.rstrip("/").endswith("/admin"), signed_in.url
    )
    listing = staff.get(f"{base}/admin/episodes/episode/?status__exact=published", timeout=10)
    change = re.search(r'href="(/admin/episodes/episode/\d+/change/)[^"]*"', listing.text)
    audio = os.urandom(64 * 1024)
    if change:
        change_url = base + change.group(1)
        page = staff.get(change_url, timeout=10)
        form = form_with(page.text, "title")
        slug = dict(form["fields"]).get("slug", slug)
        saved = staff.post(
            change_url,
            data=filled(form, _save="Save"),
            files={"audio_file": ("prod-check.mp3", audio, "audio/mpeg")},
            headers={"Referer": change_url},
            allow_redirects=False,
            timeout=30,
        )
        check(
            "upload audio in the admin",
            saved.status_code == 302,
            f"{saved.status_code} {re.findall(r'errorlist[^<]*<li>([^<]*)', saved.text)[:3]}",
        )
        page = staff.get(f"{base}/episodes/{slug}/", timeout=10)
        url = re.search(re.escape(moto_base) + r"/" + BUCKET + r"/[^\"'\s<>]+\.mp3", page.text)
        check("the episode links its audio in object storage", bool(url), "no S3 link on the page")
        if url:
            ranged = requests.get(
                html.unescape(url.group(0)), headers={"Range": "bytes=0-9"}, timeout=10
            )
            check(
                "audio served with byte ranges (206)",
                ranged.status_code == 206 and ranged.content == audio[:10],
                str(ranged.status_code),
            )
        feed = guest.get(f"{base}/feeds/podcast.xml", timeout=10)
        check(
            "the podcast feed's enclosure is the storage URL",
            bool(url) and url.group(0) in feed.text,
        )
        change_shows_everywhere(staff, visitor("127.0.0.1", cert), base, change_url, slug)
    else:
        check("upload audio in the admin", False, "episode not found in the admin list")

    # The comment rate limit counts per visitor address, as nginx sees it. Its windows are
    # fixed (5 per 10 minutes by default), so the six posts must not straddle the end of
    # one: a window ending mid-way would let the sixth through, rightly.
    first, second = visitor("127.0.0.2", cert), visitor("127.0.0.3", cert)
    window_left = rate_window_seconds_left("127.0.0.2", period=600)
    if window_left < 30:
        time.sleep(window_left + 1)
    statuses = []
    for n in range(6):
        statuses.append(guest_comment(first, base, slug, n, origin).status_code)
    check(
        "the sixth comment from one address is limited (429)",
        statuses == [302] * 5 + [429],
        str(statuses),
    )
    other = guest_comment(second, base, slug, 99, origin)
    check("another address is not limited", other.status_code == 302, str(other.status_code))

    # Both gunicorns answered: nothing lived in one process's memory.
    served = [procs.log(name).count("gunicorn.access") for name in ("web-1", "web-2")]
    check("both gunicorns served requests", all(served), str(served))

    # Beat and a worker are alive: the deep health check sees the heartbeat.
    deep = wait_until(
        lambda: (lambda r: r if r.status_code == 200 else None)(
            me.get(f"{base}/healthz?deep=1", timeout=10)
        ),
        timeout=60,
        interval=1,
    )
    check(
        "deep health: database, cache, broker and heartbeat",
        bool(deep),
        me.get(f"{base}/healthz?deep=1", timeout=10).text,
    )
    status = staff.get(f"{base}/admin/status/", timeout=10)
    check(
        "staff status page",
        status.status_code == 200 and "seconds ago" in status.text,
        str(status.status_code),
    )
    json_lines = procs.log("worker").splitlines()
    check(
        "worker logs one JSON object per line",
        any(line.startswith('{"time"') and '"request_id"' in line for line in json_lines),
    )


DIVIDER = "<!-- members-only -->"  # episodes/rendering.py, MEMBERS_ONLY_DIVIDER_TEXT
CHANGE_SHOWS_WITHIN = 10.0  # seconds: PAGE_CACHE_CONTROL's s-maxage and stale window


def admin_save_body(staff, change_url: str, body_from) -> float | None:
    """Save the episode in the admin with the body body_from(old body) returns; the moment
    the save was answered, or None if the admin refused it."""
    page = staff.get(change_url, timeout=10)
    form = form_with(page.text, "title")
    body = dict(form["fields"])["body"].replace("\r\n", "\n")
    saved = staff.post(
        change_url,
        data=filled(form, body=body_from(body), _save="Save"),
        headers={"Referer": change_url},
        allow_redirects=False,
        timeout=30,
    )
    return time.monotonic() if saved.status_code == 302 else None


def seconds_until(predicate, *, limit: float, since: float) -> float | None:
    """Seconds from `since` until predicate() holds (polling four times a second), or
    None if it does not within `limit` seconds."""
    while time.monotonic() - since <= limit:
        if predicate():
            return time.monotonic() - since
        time.sleep(0.25)
    return None


def change_shows_everywhere(staff, reader, base: str, change_url: str, slug: str) -> None:
    """Staff add a paragraph in the admin, then move it behind the members-only divider:
    each change shows through nginx's micro-cache within CHANGE_SHOWS_WITHIN seconds, for
    a visitor reading all along and for the first one after a quiet spell. Nothing purges
    that cache: its copy simply expires (PAGE_CACHE_CONTROL)."""
    paragraph = f"Prod-check paragraph {secrets.token_hex(4)}: stand tall and breathe out."
    page_url = f"{base}/episodes/{slug}/"

    def public_page() -> str:
        return html.unescape(reader.get(page_url, timeout=10).text)

    def blocks(text: str) -> list[str]:
        found = (block.strip() for block in re.split(r"\n\s*\n", text))
        return [block for block in found if block and block != paragraph]

    def placed(public: bool):
        def body_from(body: str) -> str:
            before, _, after = (blocks(part) for part in body.partition(DIVIDER))
            if public:
                return "\n\n".join([*before, paragraph, *([DIVIDER, *after] if after else [])])
            return "\n\n".join([*before, DIVIDER, paragraph, *after])

        return body_from

    for name, public, quiet in (
        ("a new paragraph shows", True, False),
        ("a paragraph moved behind the divider is gone", False, False),
        ("a paragraph moved back out shows", True, False),
        ("after a quiet spell, a paragraph moved behind the divider is gone", False, True),
    ):
        for _ in range(2):  # nginx now holds the page as it was
            before = reader.get(page_url, timeout=10)
        cached = before.headers.get("X-Proxy-Cache", "none")
        as_it_was = (paragraph in html.unescape(before.text)) is not public
        saved_at = admin_save_body(staff, change_url, placed(public))
        took = None
        if saved_at is not None and quiet:  # no request at all until the first visitor's
            time.sleep(max(0.0, saved_at + CHANGE_SHOWS_WITHIN + 1 - time.monotonic()))
            took = time.monotonic() - saved_at if (paragraph in public_page()) is public else None
        elif saved_at is not None:
            took = seconds_until(
                lambda public=public: (paragraph in public_page()) is public,
                limit=CHANGE_SHOWS_WITHIN,
                since=saved_at,
            )
        if not (cached == "HIT" and as_it_was):
            detail = f"nginx's copy before the save was not the page as it was ({cached})"
        elif saved_at is None:
            detail = "the admin refused the save"
        else:
            detail = f"not yet after {CHANGE_SHOWS_WITHIN:.0f} s"
        check(
            f"{name} through nginx within {CHANGE_SHOWS_WITHIN:.0f} s"
            + (f" (after {took:.1f} s)" if took is not None and not quiet else ""),
            cached == "HIT" and as_it_was and took is not None,
            detail,
        )

    # A visitor's browser asks again each time (max-age=0) and gets a 304 while unchanged.
    first = reader.get(page_url, timeout=10)
    again = reader.get(
        page_url, headers={"If-None-Match": first.headers.get("ETag", "")}, timeout=10
    )
    check(
        "a browser revalidating an unchanged page gets 304",
        "max-age=0" in first.headers.get("Cache-Control", "") and again.status_code == 304,
        f"{first.headers.get('Cache-Control')} → {again.status_code}",
    )


def rate_window_seconds_left(value: str, *, period: int) -> float:
    """Seconds until django-ratelimit's current window for `value` ends. Its windows are
    fixed, each ending at the same offset into the period for one value: crc32(value) %
    period seconds after each multiple of the period (django_ratelimit.core._get_window)."""
    offset = zlib.crc32(value.encode()) % period
    return (offset - time.time()) % period


def guest_comment(session, base, slug, n, origin):
    page = session.get(f"{base}/episodes/{slug}/", timeout=10)
    form = form_with(page.text, "body")
    return session.post(
        f"{base}/episodes/{slug}/comments/",
        data=filled(
            form,
            name=f"Guest {n}",
            email=f"guest{n}@example.com",
            body=f"Guest comment number {n}.",
        ),
        headers={"Referer": f"{base}/episodes/{slug}/", **origin},
        allow_redirects=False,
        timeout=10,
    )


# --- Setting it all up -------------------------------------------------------------------------


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's access log
    for tool in ("nginx", "openssl"):
        if not shutil.which(tool):
            print(f"FAIL  {tool} is not installed (apt-get install {tool})")
            return 1
    server_url = os.environ.get(
        "PROD_CHECK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    redis_url = os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    broker_db, cache_db = (
        int(n) for n in os.environ.get("PROD_CHECK_REDIS_DBS", "14,15").split(",")
    )
    db_name = f"backinshape_prodcheck_{secrets.token_hex(4)}"
    db_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{db_name}"))

    tmp = Path(tempfile.mkdtemp(prefix="backinshape-prod-check-"))
    tmp.chmod(0o755)
    (tmp / "logs").mkdir()
    (tmp / "media").mkdir()
    procs = Processes(tmp / "logs")
    sink = SmtpSink()
    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    database_created = False
    redis_clients = [redis.Redis.from_url(f"{redis_url}/{n}") for n in (broker_db, cache_db)]
    started = time.monotonic()
    try:
        for client in redis_clients:
            client.flushdb()
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        database_created = True
        sink.controller.start()
        moto.start()
        moto_base = f"http://127.0.0.1:{moto_port}"
        os.environ.update(AWS_ACCESS_KEY_ID="prod-check", AWS_SECRET_ACCESS_KEY="prod-check")
        boto3.client("s3", endpoint_url=moto_base, region_name="us-east-1").create_bucket(
            Bucket=BUCKET
        )

        cert, key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost"],
            check=True, capture_output=True,
        )  # fmt: skip
        http_port, https_port = free_port(), free_port()
        web_ports = [free_port(), free_port()]
        base = f"https://localhost:{https_port}"

        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_", "SENTRY_", "STRIPE_", "ANYMAIL_"))
            and k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "MEDIA_STORAGE_URL")
        }
        env = {
            **inherited,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": base,
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": f"{redis_url}/{broker_db}",
            "REDIS_URL": f"{redis_url}/{cache_db}",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "MEDIA_STORAGE_URL": (
                f"s3://{BUCKET}?endpoint_url={moto_base}&region=us-east-1"
                "&querystring_auth=false&default_acl=public-read"
            ),
            "AWS_ACCESS_KEY_ID": "prod-check",
            "AWS_SECRET_ACCESS_KEY": "prod-check",
            "DJANGO_SUPERUSER_EMAIL": STAFF_EMAIL,
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            "STATIC_ROOT": str(tmp / "static"),
            "WEB_CONCURRENCY": "2",
            "HEARTBEAT_SECONDS": "3",  # beat's first run of an interval task is one interval in
            "PYTHONUNBUFFERED": "1",
        }
        python = str(VENV_BIN / "python")
        for command in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput", "--verbosity", "0"],
            ["seed_demo"],
            ["createsuperuser", "--noinput"],
            # The staff account's authenticator app (allauth.mfa), as set up at /accounts/2fa/.
            [
                "shell",
                "-c",
                (
                    "from allauth.mfa.totp.internal.auth import TOTP; "
                    "from members.models import User; "
                    f"TOTP.activate(User.objects.get(email={STAFF_EMAIL!r}), {TOTP_SECRET!r})"
                ),
            ],
        ):
            subprocess.run(
                [python, "manage.py", *command], cwd=ROOT, env=env, check=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
        check("migrate, collectstatic, seed_demo, createsuperuser with an authenticator", True)

        for n, port in enumerate(web_ports, start=1):
            procs.start(
                f"web-{n}",
                [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                 "--no-control-socket", "backinshape.wsgi"],
                {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            )  # fmt: skip
        procs.start(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "backinshape", "worker", "--loglevel=INFO",
             "--concurrency=2", "--max-tasks-per-child=50", "--without-gossip", "--without-mingle"],
            env,
        )  # fmt: skip
        procs.start(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "backinshape", "beat", "--loglevel=INFO",
             "--schedule", str(tmp / "celerybeat-schedule")],
            env,
        )  # fmt: skip
        conf = render_nginx(
            tmp, http_port=http_port, https_port=https_port, upstreams=web_ports,
            cert=cert, key=key, static_root=tmp / "static", media=tmp / "media",
        )  # fmt: skip
        nginx = ["nginx", "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "logs/nginx-error.log")]
        tested = subprocess.run([*nginx, "-t", "-q"], capture_output=True, text=True, check=False)
        if not check("nginx -t accepts the shipped config", tested.returncode == 0, tested.stderr):
            return 1
        procs.start(
            "nginx",
            nginx,
            env,
        )

        def up(port):
            r = requests.get(
                f"http://127.0.0.1:{port}/healthz", headers={"Host": "localhost"}, timeout=2
            )
            return r.status_code == 200

        for n, port in enumerate(web_ports, start=1):
            if not check(
                f"gunicorn {n} is up",
                bool(wait_until(lambda p=port: up(p), timeout=30)),
                procs.log(f"web-{n}")[-2000:],
            ):
                return 1
        if not check(
            "nginx is up",
            bool(
                wait_until(
                    lambda: requests.get(f"{base}/healthz", verify=str(cert), timeout=2).ok,
                    timeout=15,
                )
            ),
            (tmp / "logs/nginx-error.log").read_text()
            if (tmp / "logs/nginx-error.log").exists()
            else "",
        ):
            return 1

        walk(base, f"http://localhost:{http_port}", cert, sink, moto_base, procs)
    except Exception as error:  # a crash is a failure with its reason, never a silent pass
        check("prod-check ran to the end", False, f"{type(error).__name__}: {error}")
    finally:
        procs.stop_all()
        # Clean-up must go on past any one failure; each says what went wrong.
        for name, stop in [("moto", moto.stop), ("SMTP sink", sink.controller.stop)] + [
            (f"Redis DB {n}", client.flushdb)
            for n, client in zip((broker_db, cache_db), redis_clients, strict=True)
        ]:
            try:
                stop()
            except Exception as error:
                print(f"prod-check: could not stop {name}: {error}")
        if database_created:
            with psycopg.connect(server_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        failed = [name for name, ok, _ in results if not ok]
        if failed and os.environ.get("PROD_CHECK_KEEP_LOGS"):
            print(f"Logs kept in {tmp / 'logs'}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [name for name, ok, _ in results if not ok]
    took = time.monotonic() - started
    print(f"\nprod-check: {len(results) - len(failed)} passed, {len(failed)} failed in {took:.0f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
