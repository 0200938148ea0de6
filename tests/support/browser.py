"""Helpers of the browser tests: screenshots, axe-core, addresses of demo pages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS") or ROOT / "var" / "screenshots")
LOCALES = ("en", "ru")


def screenshot(page, name: str) -> Path:
    """A full-page screenshot at var/screenshots/<name>.png (page type and locale)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page: its whole default rule set, nothing disabled."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {json.dumps(node['target'], ensure_ascii=False)} {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more nodes")
    return "\n".join(lines)


# --- content of the demo manual ------------------------------------------------------------------


def page_path(page) -> str:
    """The path of a Wagtail page on the live server (with its language prefix)."""
    return urlsplit(page.get_url()).path


FACET_KEYS = ("country", "topic", "tool", "participation_level", "government_level", "stage", "type")


def live_pages(model, locale: str):
    """The live pages of a type in a locale's tree, without wagtail-localize's alias pages."""
    return model.objects.live().filter(locale__language_code=locale, alias_of__isnull=True).order_by("path")


def first_number(text: str) -> int:
    """The first whole number in a text ("12 results", "Найдено: 12")."""
    match = re.search(r"\d+", text.replace("\u00a0", "").replace(" ", ""))
    assert match, f"no number in {text!r}"
    return int(match.group())


def label_count(text: str) -> int:
    """The count of a facet value from its label: "Estonia (3)" -> 3."""
    match = re.search(r"(\d+)\D*$", text.strip())
    assert match, f"no count in the facet label {text!r}"
    return int(match.group(1))


def result_count(page) -> int:
    """The number of results the page announces in #result-count."""
    return first_number(page.locator("#result-count").inner_text())
