"""The home page through nginx: its security headers, nginx's micro-cache, the redirect
from HTTP and the static files."""

import re

import pytest

pytestmark = pytest.mark.prod


def test_home_page_over_https_through_nginx(home):
    assert home.status_code == 200


def test_hsts(home):
    hsts = home.headers.get("Strict-Transport-Security", "missing")

    assert "max-age=31536000" in hsts, hsts


def test_content_security_policy(home):
    assert "default-src 'self'" in home.headers.get("Content-Security-Policy", "")


def test_x_content_type_options(home):
    assert home.headers.get("X-Content-Type-Options") == "nosniff"


def test_referrer_policy(home):
    assert home.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"


def test_permissions_policy(home):
    assert "camera=()" in home.headers.get("Permissions-Policy", "")


def test_no_server_version(home):
    server = home.headers.get("Server", "")

    assert server == "nginx"
    assert not re.search(r"\d", server)


def test_request_id_echoed(home):
    assert re.fullmatch(r"[0-9a-f]{32}", home.headers.get("X-Request-ID", ""))


def test_anonymous_page_is_public_in_caches(home):
    assert home.headers.get("Cache-Control", "").startswith("public")


def test_nginx_micro_cache_serves_the_anonymous_page(shape, reader):
    reader.get(f"{shape.base}/", timeout=10)
    again = reader.get(f"{shape.base}/", timeout=10)

    assert again.headers.get("X-Proxy-Cache") in ("HIT", "UPDATING", "REVALIDATED"), (
        again.headers.get("X-Proxy-Cache", "no header")
    )


def test_http_redirects_to_https(shape, reader):
    redirect = reader.get(f"{shape.http_base}/episodes/?x=1", allow_redirects=False, timeout=10)

    assert redirect.status_code == 301
    assert redirect.headers.get("Location") == f"{shape.base}/episodes/?x=1"


def test_static_files_from_nginx_cached_for_ever(shape, reader, home):
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home.text)
    assert stylesheet, "no stylesheet link on /"

    css = reader.get(shape.base + stylesheet.group(1), timeout=10)

    assert css.status_code == 200
    assert "immutable" in css.headers.get("Cache-Control", ""), css.headers.get("Cache-Control")
