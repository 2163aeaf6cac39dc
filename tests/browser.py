"""Headless Chromium for the site's tests (Debian's chromium and chromium-driver, `make
browser`), and axe-core injected into a page (`make axe`: the npm package in .cache/axe)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import REPO

AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@contextmanager
def chromium(width: int = 1280, height: int = 1800) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary and driver, "install Debian's chromium and chromium-driver (make browser)"
    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--hide-scrollbars",
                f"--window-size={width},{height}"):
        opts.add_argument(arg)
    opts.binary_location = binary
    browser = webdriver.Chrome(service=Service(driver), options=opts)
    try:
        yield browser
    finally:
        browser.quit()


def set_width(browser, width: int, height: int = 1800) -> None:
    """Resize so that the page's viewport (not the window) is `width` CSS pixels wide."""
    browser.set_window_size(width, height)
    inner = browser.execute_script("return window.innerWidth")
    if inner != width:
        browser.set_window_size(width + (width - inner), height)


def axe_violations(browser, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of the page open in `browser` with one of `impacts`."""
    assert AXE.is_file(), f"{AXE} is missing: run `make axe` (npm install axe-core@4)"
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations)).catch(e => done([{id: 'error', "
        "impact: 'critical', help: String(e), nodes: []}]));")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result if v["impact"] in impacts]


def overflow(browser) -> int:
    """How many CSS pixels the page is wider than the viewport (0: none)."""
    return int(browser.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"))


def page_uri(path: Path) -> str:
    return path.as_uri()
