"""Replies as real mail clients write them (tests/mail/corpus: Gmail,
Outlook, Apple Mail, Thunderbird; top- and bottom-posting; German, French
and Spanish quote headers; HTML only): exactly the text the sender wrote
is kept, without the quoted original, signature or client boilerplate.
Each NAME.eml is checked against NAME.txt."""
import pathlib

import pytest

from ckanext.helpdesk.mailin import parse

CORPUS = pathlib.Path(__file__).parent / "corpus"
LANGUAGES = ["en", "de", "fr", "es"]


@pytest.mark.parametrize("name", sorted(
    path.stem for path in CORPUS.glob("*.eml")))
def test_exactly_the_reply_is_kept(name):
    message = parse.read((CORPUS / f"{name}.eml").read_bytes())
    expected = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")

    assert parse.reply(parse.text(message), LANGUAGES) == expected.rstrip(
        "\n")


def test_html_mail_keeps_no_markup_and_no_script():
    text = parse.text(parse.read((CORPUS / "outlook_html_only.eml"
                                  ).read_bytes()))
    assert "alert(1)" not in text
    assert "<b>" not in text and "<a " not in text
    assert "<script> stays text." in text  # escaped text stays text
