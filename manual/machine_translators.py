"""Machine translators behind wagtail-localize's ``BaseMachineTranslator``.

``PseudoTranslator`` is local and deterministic: a glossary (``OPTIONS["GLOSSARY"]``, exact text
-> translation) and otherwise the text marked with the target locale, e.g. ``[ru] Budget``. It keeps
the HTML of rich-text segments intact, so its output passes wagtail-localize's checks. It serves
tests and offline demos; production uses DeepL (``DEEPL_API_KEY``, site_config/settings.py).
"""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.strings import StringValue, lstrip_keep, rstrip_keep

TOOL_NAME = "Pseudo translator"


def _language(locale) -> str:
    return locale.language_code.split("-")[0].lower()


class PseudoTranslator(BaseMachineTranslator):
    display_name = TOOL_NAME

    def _text(self, text: str, target: str) -> str:
        core, left = lstrip_keep(text)
        core, right = rstrip_keep(core)
        if not core:
            return text
        glossary = self.options.get("GLOSSARY", {})
        return left + glossary.get(core, f"[{target}] {core}") + right

    def translate_html(self, html: str, target: str) -> str:
        soup = BeautifulSoup(html, "html.parser")
        for node in list(soup.find_all(string=True)):
            if isinstance(node, NavigableString):
                node.replace_with(self._text(str(node), target))
        return str(soup)

    def translate(self, source_locale, target_locale, strings):
        target = _language(target_locale)
        return {string: StringValue(self.translate_html(string.data, target)) for string in strings}

    def can_translate(self, source_locale, target_locale) -> bool:
        return _language(source_locale) != _language(target_locale)
