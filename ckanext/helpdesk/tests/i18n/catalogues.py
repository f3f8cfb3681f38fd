"""What the translation tests share: the extension's catalogues, the
messages extracted afresh from its source (as bin/i18n extracts them), and
the English text of ours a translated page or email must not show."""
import configparser
import html.parser
import pathlib
import re
import runpy

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import ckan.lib.i18n

ROOT = pathlib.Path(__file__).resolve().parents[4]
I18N = ROOT / "ckanext" / "helpdesk" / "i18n"
DOMAIN = "ckanext-helpdesk"
LANGUAGES = sorted(path.name for path in I18N.iterdir() if path.is_dir())
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]|%[sd]")


def po_path(language):
    return I18N / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue(language):
    with open(po_path(language), "rb") as po:
        return read_po(po)


def extracted_messages():
    """{msgid: "file:line"} of every message of the source (of a plural,
    its singular msgid), extracted with the mapping of setup.py and the
    keywords of setup.cfg, as bin/i18n extracts them."""
    mapping = runpy.run_path(str(ROOT / "setup.py"))["MESSAGE_EXTRACTORS"]
    setup_cfg = configparser.ConfigParser()
    setup_cfg.read(ROOT / "setup.cfg")
    keywords = dict(DEFAULT_KEYWORDS, **dict.fromkeys(
        setup_cfg["extract_messages"]["keywords"].split()))
    found = {}
    for directory, rules in mapping.items():
        method_map = [(pattern, method) for pattern, method, _ in rules]
        options_map = {pattern: options or {}
                       for pattern, _, options in rules}
        for filename, line, message, _comments, _context in extract_from_dir(
                ROOT / directory, method_map, options_map, keywords):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{directory}/{filename}:{line}")
    return found


def core_catalogue(language):
    """CKAN core's catalogue of `language`."""
    with open(pathlib.Path(ckan.lib.i18n.get_ckan_i18n_dir()) / language /
              "LC_MESSAGES" / "ckan.po", "rb") as po:
        return read_po(po)


def core_msgids(language):
    """The msgids CKAN core translates into `language`: our pages show
    CKAN's own pages' text too, and our catalogue may reuse core's words."""
    return {message.id for message in core_catalogue(language)
            if message.string}


def english_left(text, language):
    """The English text of our catalogue found in `text`: every fragment
    between placeholders, of two words or more, of a msgid translated
    into `language` other than itself that is no CKAN core msgid."""
    core = core_msgids(language)
    fragments = set()
    for message in catalogue(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (message.string if isinstance(message.string, tuple)
                   else (message.string,))
        for msgid in ids:
            if not msgid or msgid in core or msgid in strings:
                continue
            fragments.update(
                fragment.strip(" .,:;()") for fragment in
                PLACEHOLDER.split(msgid)
                if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", fragment))
    return sorted(fragment for fragment in fragments if fragment in text)


class _Text(html.parser.HTMLParser):
    """What a reader meets on a page: its text, and the labels of its
    attributes (title, placeholder, aria-label, alt, data-label, button
    values); not scripts and styles."""

    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in self.ATTRIBUTES or (
                    name == "value" and tag in ("button", "input")
                    and dict(attrs).get("type") == "submit")):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable_text(page):
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())

