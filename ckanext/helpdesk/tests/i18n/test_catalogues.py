"""The translation catalogues: loaded by CKAN the ITranslation way, valid,
compiled, and complete for every message of the source, so that a string
added without its translations fails here, naming the string."""
import io

import pytest
from babel.messages.mofile import read_mo, write_mo

import ckan.plugins as p

from ckanext.helpdesk.tests.i18n.catalogues import (
    DOMAIN, I18N, LANGUAGES, PLACEHOLDER, ROOT, catalogue, core_catalogue,
    extracted_messages, po_path)


def test_spanish_and_french_are_shipped():
    assert {"es", "fr"} <= set(LANGUAGES)


@pytest.mark.usefixtures("with_plugins")
def test_ckan_loads_our_catalogues_from_i18n_under_our_domain():
    plugin = p.get_plugin("helpdesk")

    assert plugin.i18n_directory() == str(I18N)
    assert plugin.i18n_domain() == DOMAIN
    assert set(LANGUAGES) <= set(plugin.i18n_locales())


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_compiles_without_errors(language):
    translations = catalogue(language)
    errors = [f"{message.id!r}: {error}"
              for message, message_errors in translations.check()
              for error in message_errors]
    for message in translations:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = (message.string if isinstance(message.string, tuple)
                   else (message.string,))
        for string in filter(None, strings):
            if set(PLACEHOLDER.findall(string)) - set(
                    PLACEHOLDER.findall(" ".join(ids))):
                errors.append(f"{message.id!r}: {string!r} has placeholders "
                              "its msgid has not")

    write_mo(io.BytesIO(), translations)

    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_compiled_from_the_po_file(language):
    with open(po_path(language).with_suffix(".mo"), "rb") as mo:
        compiled = {_key(message.id): _key(message.string)
                    for message in read_mo(mo) if message.id}
    written = {_key(message.id): _key(message.string)
               for message in catalogue(language)
               if message.id and message.string and not message.fuzzy}

    assert compiled == written, f"run bin/i18n to compile {language}"


def _key(text):
    return tuple(text) if isinstance(text, (list, tuple)) else text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_source_is_translated(language):
    translations = catalogue(language)
    problems = []
    for msgid, where in sorted(extracted_messages().items(),
                               key=lambda item: item[1]):
        message = translations.get(msgid)
        strings = message and (message.string if isinstance(
            message.string, tuple) else (message.string,))
        if message is None:
            problems.append(f"missing     {msgid!r} ({where})")
        elif not all(strings):
            problems.append(f"untranslated {msgid!r} ({where})")
        elif message.fuzzy:
            problems.append(f"fuzzy       {msgid!r} ({where})")

    assert not problems, (
        f"{len(problems)} messages of the source lack a {language} "
        f"translation; run bin/i18n, translate them in "
        f"{po_path(language).relative_to(ROOT)}, "
        "run bin/i18n again:\n" + "\n".join(problems))


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_shared_with_ckan_core_keep_cores_translation(language):
    """CKAN merges our catalogue over core's: a msgid both have, translated
    otherwise here, would change CKAN's own pages too."""
    core = core_catalogue(language)
    differing = [
        f"{message.id!r}: core {core[message.id].string!r}, "
        f"ours {message.string!r}"
        for message in catalogue(language)
        if message.id and not isinstance(message.id, tuple)
        and core.get(message.id) and core[message.id].string
        and message.string != core[message.id].string]

    assert not differing, "\n".join(differing)
