"""Markdown of issue descriptions and comments, rendered in bounded time.

CKAN's h.render_markdown uses python-markdown, whose inline regexes
backtrack: 20,000 characters of nested emphasis or brackets take tens of
seconds, and a stored text is rendered on every view of its page. The help
desk renders with markdown-it-py instead (CommonMark, a parser linear by
design, already in CKAN's environment), with raw HTML off, then sanitises
the result with bleach as CKAN 2.10 and 2.11 do (the same tags and
attributes; a dependency of ours, since CKAN 2.12 sanitises with nh3)
and links bare URLs as CKAN does (rel="nofollow"); Markdown links get
rel="nofollow" too. What was rendered is kept (a bounded cache per
process), so a page shown again costs no parsing.
"""
import functools

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

import ckan.plugins.toolkit as tk

# CKAN's MARKDOWN_TAGS and MARKDOWN_ATTRIBUTES (ckan/lib/helpers.py), plus
# the rel="nofollow" of links.
# (bleach 6 gives a frozenset, bleach 5 on CKAN 2.10 a list.)
TAGS = set(bleach.sanitizer.ALLOWED_TAGS) | {
    "del", "dd", "dl", "dt", "h1", "h2", "h3", "img", "kbd", "p", "pre",
    "s", "sup", "sub", "strike", "br", "hr"}
ATTRIBUTES = dict(bleach.sanitizer.ALLOWED_ATTRIBUTES,
                  a=["href", "title", "rel"], img=["src", "alt", "title"])
CACHE_SIZE = 256  # rendered texts kept per process


def _parser():
    # No images: markdown-it-py's image rule is its slowest on unclosed
    # "![" runs, and an image from anywhere in a public issue tells its
    # host who reads it; ![text](url) reads as a link instead.
    parser = MarkdownIt("commonmark", {"html": False}).disable("image")

    def link_open(renderer, tokens, index, options, env):
        tokens[index].attrSet("rel", "nofollow")
        return renderer.renderToken(tokens, index, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


_PARSER = _parser()


def render(text):
    """The text's Markdown as sanitised HTML (Markup), "" for no text."""
    if not text:
        return Markup("")
    return Markup(_rendered(text))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _rendered(text):
    html = bleach.clean(_PARSER.render(text), tags=TAGS,
                        attributes=ATTRIBUTES, strip=True)
    return tk.h.html_auto_link(html)
