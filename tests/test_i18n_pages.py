"""Pages render in each language: Chinese by default, English after the language switch."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

HAN = re.compile(r"[\u4e00-\u9fff]")


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def switch_to(client, language: str, next_url: str = "/accounts/login/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return response


def test_pages_are_in_chinese_by_default(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert '<html lang="zh-hans">' in html and response["Content-Language"] == "zh-hans"
    heading = in_language("zh-hans", "Log in to your account")
    assert heading in html and HAN.search(heading), "the Chinese catalogue should translate the login page"


def test_the_browsers_language_does_not_override_the_default(client, db):
    html = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in html


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_page_renders_in_each_language(client_for, leader, language):
    client = client_for(leader)
    switch_to(client, language, "/enterprises/")
    response = client.get("/enterprises/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert in_language(language, "Enterprises") in html
    assert in_language(language, "Filter") in html
    assert f'<option value="{language}" selected>' in html


def test_the_language_switch_goes_to_english_and_back(client, db):
    switch_to(client, "en")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html and "Log in to your account" in html
    switch_to(client, "zh-hans")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html and in_language("zh-hans", "Log in to your account") in html


def test_an_unknown_language_is_ignored(client, db):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/accounts/login/"})
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_api_errors_follow_the_language_too(client, db):
    assert client.get("/api/v1/enterprises").json()["message"] == in_language(
        "zh-hans", "Log in or send a valid bearer token."
    )
    switch_to(client, "en")
    assert client.get("/api/v1/enterprises").json()["message"] == "Log in or send a valid bearer token."


DUAL_PREVENTION_PAGES = [
    "/risk/",
    "/hazards/",
    "/hazards/add/",
    "/hazards/ledger/",
    "/hazards/statistics/",
    "/hazards/self-checks/",
    "/hazards/self-checks/tasks/",
    "/hazards/public-reports/",
    "/report/",
    "/report/track/",
    "/report/notices/",
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_dual_prevention_pages_render_in_each_language(client_for, staff_user, language):
    client = client_for(staff_user)
    switch_to(client, language)
    for url in DUAL_PREVENTION_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


# The monitoring and warning sections (issues 5 and 6): each page of the menu, the add forms and the
# public warning page, with the menu's section heading in the page's language.
MONITORING_AND_WARNING_PAGES = [
    "/enterprises/sources/",
    "/enterprises/duties/",
    "/monitoring/",
    "/monitoring/alarms/",
    "/monitoring/devices/",
    "/monitoring/devices/add/",
    "/monitoring/quality/",
    "/alerts/warnings/",
    "/alerts/warnings/add/",
    "/alerts/notices/",
    "/alerts/call-lists/",
    "/alerts/rosters/",
    "/alerts/rosters/rounds/",
    "/alerts/cap/upload/",
    "/cap/",
]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_monitoring_and_warning_pages_render_in_each_language(client_for, admin_user, language):
    client = client_for(admin_user)
    switch_to(client, language)
    for heading in ("Major hazards and monitoring", "Warnings and call-and-acknowledge"):
        assert HAN.search(in_language("zh-hans", heading)), heading
    for url in MONITORING_AND_WARNING_PAGES:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in html, url
        if url != "/cap/":  # the public page has no menu
            assert in_language(language, "Warnings and call-and-acknowledge") in html, url
