"""公示: the public page of supervised listings, delistings and exposures, without login."""

import datetime

from django.utils import timezone

from yingji.core.models import Division
from yingji.hazards import services


def test_listing_and_delisting_are_public_notices(
    client, enterprise_a_user, enterprise_a_manager, staff_user
):
    soon = timezone.now() + datetime.timedelta(days=30)
    hazard = services.report_hazard(
        actor=enterprise_a_user,
        title="储罐区可燃气体报警器失效",
        source="self_check",
        grade="major",
        criteria=["chem-2017-4"],
    )
    services.confirm_hazard(
        hazard, actor=enterprise_a_manager, grade="major", treatment="deadline", due_at=soon
    )
    services.list_for_supervision(
        hazard,
        actor=staff_user,
        level="county",
        authority=Division.objects.get(code="329901000000"),
        unit="安澜县应急管理局",
        document_no="安应急督〔2026〕7号",
        due_at=soon,
    )
    general = services.report_hazard(actor=enterprise_a_user, title="灭火器过期", source="self_check")

    page = client.get("/report/notices/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "储罐区可燃气体报警器失效" in text
        and "安应急督〔2026〕7号" in text
        and enterprise_a_user.enterprise.name in text
    )
    assert general.title not in text
    assert 'data-action="list"' in text and 'data-action="sign_off"' not in text

    services.start_rectification(
        hazard, actor=enterprise_a_user, measures="更换", responsible="王工", funds=1000, contingency="预案"
    )
    services.submit_rectification(hazard, actor=enterprise_a_user, note="已更换")
    services.verify_hazard(hazard, actor=enterprise_a_manager)
    services.sign_off_hazard(hazard, actor=staff_user)
    assert 'data-action="sign_off"' in client.get("/report/notices/").content.decode()
