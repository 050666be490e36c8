"""What a visitor does through nginx, without a browser: requests sessions bound to one
loopback address (the rate limits count by the address nginx sees), the forms on a page
with the values a browser would send, and the links in the emails they receive."""

import email
import email.policy
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from tests.conftest import SmtpSink


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def visitor(source: str, cert: Path) -> requests.Session:
    """A visitor of their own (cookies and all) coming from `source`, e.g. 127.0.0.2."""
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


def form_posting_to(page: str, action_part: str) -> dict:
    """The form whose action holds `action_part`, or posts back to the page itself; else
    the page's last form (where a confirmation page puts its button)."""
    found = forms_on(page)
    form = found[-1]
    for candidate in found:
        if action_part in candidate["action"] or candidate["action"] == "":
            form = candidate
    return form


def filled(form: dict, **values) -> list[tuple[str, str]]:
    fields = [(name, value) for name, value in form["fields"] if name not in values]
    return fields + list(values.items())


def link_in(text: str, path_pattern: str) -> str | None:
    match = re.search(r"https://[^\s\"'<>]+" + path_pattern + r"[^\s\"'<>]*", text)
    return html.unescape(match.group(0)) if match else None


def mail_text_to(sink: SmtpSink, address: str) -> str:
    """The text of every message the sink received for `address`, one after another."""
    bodies = []
    for raw in list(sink.messages):
        message = email.message_from_bytes(raw, policy=email.policy.default)
        if address in str(message.get("To", "")):
            part = message.get_body(preferencelist=("plain", "html"))
            bodies.append(part.get_content() if part else "")
    return "\n".join(bodies)
