"""Full-page screenshots of the main pages at phone and desktop widths, for a visual check.

Run the site first (e.g. `make run`), then:

    .venv/bin/python scripts/screenshots.py [BASE_URL] [--out DIR] [--dark]

BASE_URL defaults to http://127.0.0.1:8000; PNGs go to ./screenshots/ (or --out) as
<page>-<width>[-dark].png. It drives Debian's Chromium (/usr/bin/chromium) with the same
flags as the browser tests. The episode and topic pages are found by following the first
links on the episode list, so any content (e.g. `seed_demo`) will do.
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDTHS = {360: 740, 1280: 900}
PAGES = {
    "home": "/",
    "episodes": "/episodes/",
    "search": "/search/?q=back",
    "subscribe": "/subscribe/",
    "program": "/program/",
    "membership": "/membership/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
    "password-reset": "/accounts/password/reset/",
    "login-code": "/accounts/login/code/",
    "not-found": "/this-page-does-not-exist/",
}
SIGNED_IN_PAGES = {
    "account": "/account/",
    "account-email": "/accounts/email/",
    "account-password": "/accounts/password/change/",
    "sign-out": "/accounts/logout/",
}


def discover(page, base_url: str) -> dict[str, str]:
    """Add the first episode and the first topic linked from the episode list."""
    found = {}
    page.goto(urljoin(base_url, "/episodes/"))
    episode = page.locator(".card__title a").first
    if episode.count():
        found["episode"] = episode.get_attribute("href")
    topic = page.locator("a.tag").first
    if topic.count():
        found["topic"] = topic.get_attribute("href")
    return found


def load_lazy_images(page) -> None:
    """Scroll through the page so loading="lazy" images are in the full-page shot."""
    height = page.evaluate("document.documentElement.scrollHeight")
    step = page.viewport_size["height"]
    for _ in range(0, height, step):
        page.mouse.wheel(0, step)
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.scrollTo(0, 0)")


def shoot(page, base_url: str, path: str, target: Path) -> None:
    response = page.goto(urljoin(base_url, path), wait_until="networkidle")
    load_lazy_images(page)
    page.screenshot(path=str(target), full_page=True)
    print(f"{response.status if response else '?'} {path} -> {target}")


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(urljoin(base_url, "/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form.auth-form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots", help="folder for the PNGs")
    parser.add_argument("--dark", action="store_true", help="also take dark-scheme shots")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="an extra page to capture, e.g. --page paywall=/episodes/herniated-discs/",
    )
    parser.add_argument(
        "--login",
        metavar="EMAIL:PASSWORD",
        help="also capture the signed-in account pages, e.g. member@example.com:backinshape",
    )
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.page)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    schemes = ["light", "dark"] if args.dark else ["light"]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        probe = browser.new_page()
        pages = {**PAGES, **discover(probe, args.base_url), **extra}
        probe.close()
        for scheme in schemes:
            for width, height in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, color_scheme=scheme
                )
                page = context.new_page()
                suffix = "-dark" if scheme == "dark" else ""
                for name, path in pages.items():
                    shoot(page, args.base_url, path, out / f"{name}-{width}{suffix}.png")
                if args.login:
                    sign_in(page, args.base_url, *args.login.split(":", 1))
                    for name, path in SIGNED_IN_PAGES.items():
                        shoot(page, args.base_url, path, out / f"{name}-{width}{suffix}.png")
                context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
