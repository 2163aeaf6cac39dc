"""Screenshots of the generated site's person page at 1280 and 390 px wide, for the README:
`make screenshots` (builds the site of the embedded dataset, opens it in headless Chromium)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "tests"))

from browser import chromium, set_width  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "personkg", "site", "--out", str(site)], check=True,
                       stdout=subprocess.DEVNULL)
        from personkg.export.schemaorg import default_entity
        from personkg.pipeline import compiled

        person = default_entity(compiled(None).dataset)
        with chromium() as browser:
            for width in (1280, 390):
                set_width(browser, width, 1100 if width > 600 else 1500)
                browser.get((site / "id" / f"{person}.html").as_uri())
                out = DOCS / f"site-person-{width}.png"
                assert browser.save_screenshot(str(out)), out
                print(out.relative_to(DOCS.parent))


if __name__ == "__main__":
    main()
