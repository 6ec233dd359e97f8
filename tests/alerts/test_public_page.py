"""The public warnings page (/cap/, no login): issued public warnings only, with their CAP XML link."""

from __future__ import annotations

import datetime

from django.urls import reverse
from tests.alerts.test_warning_pages import make_warning
from tests.conftest import TOWN_A

from yingji.alerts import services
from yingji.alerts.models import Warning


def test_only_issued_public_actual_warnings_are_shown(client, admin_user, county):
    second = make_warning(admin_user, level="yellow", headline="公开黄色预警")
    shown = services.issue(second, actor=admin_user)
    updated = services.update_warning(
        services.issue(make_warning(admin_user, level="blue", headline="已更新蓝色"), actor=admin_user),
        actor=admin_user,
        instruction="更新后的指引",
    )
    draft = make_warning(admin_user, level="blue", headline="草稿不公开")
    restricted = services.issue(
        make_warning(admin_user, level="blue", headline="内部限定", cap_scope="Restricted"), actor=admin_user
    )
    exercise = services.issue(
        make_warning(admin_user, level="blue", headline="演练消息", cap_status="Exercise"), actor=admin_user
    )
    cancelled = services.cancel(
        services.issue(make_warning(admin_user, level="blue", headline="已取消预警"), actor=admin_user),
        actor=admin_user,
    )
    lapsed = services.issue(
        make_warning(admin_user, division=TOWN_A, level="blue", headline="已过期未标记"), actor=admin_user
    )
    Warning.objects.filter(pk=lapsed.pk).update(expires=lapsed.sent + datetime.timedelta(seconds=-1))

    response = client.get(reverse("cap:public_list"))  # anonymous
    assert response.status_code == 200
    body = response.content.decode()
    for warning in (shown, updated):
        assert f'data-warning="{warning.pk}"' in body
        assert reverse("cap:message", args=[warning.identifier]) in body
    assert "更新后的指引" in body and 'data-level="yellow"' in body
    for warning in (draft, restricted, exercise, cancelled, lapsed):
        assert f'data-warning="{warning.pk}"' not in body
    assert client.get(reverse("cap:message", args=[shown.identifier])).status_code == 200


def test_empty_page(client, county):
    response = client.get(reverse("cap:public_list"))
    assert response.status_code == 200 and 'id="no-warnings"' in response.content.decode()
