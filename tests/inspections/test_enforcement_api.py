"""/api/v1/enforcement: the loop over HTTP, refusals as 409 {code, message}, bad input as 400 naming the
field, and nothing written either way."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from tests.conftest import COUNTY, PASSWORD
from tests.inspections.scoping_enforcement import make_inspection

from yingji.accounts import services as account_services
from yingji.core.models import Division
from yingji.inspections import services_enforcement as services
from yingji.inspections.models_enforcement import (
    DocumentCounter,
    EnforcementDocument,
    EnforcementLead,
    NumberPattern,
    PenaltyCase,
    RectificationOrder,
    Reinspection,
)

API = "/api/v1/enforcement"
BASIS = "《中华人民共和国安全生产法》第一百零二条"


@pytest.fixture
def inspector(county):
    return account_services.create_user(
        username="inspector", role="inspector", division=Division.objects.get(code=COUNTY), password=PASSWORD
    )


@pytest.fixture
def api(client_for, inspector):
    return client_for(inspector)


@pytest.fixture
def inspection(enterprise_a, inspector):
    return make_inspection(enterprise_a, findings=2, actor=inspector)


def _post(client, path, data):
    return client.post(API + path, data, content_type="application/json")


def _nothing_written():
    return (
        RectificationOrder.objects.count(),
        Reinspection.objects.count(),
        PenaltyCase.objects.count(),
        EnforcementDocument.objects.count(),
        list(DocumentCounter.objects.values_list("last", flat=True)),
    )


def test_the_loop_over_the_api(api, inspection):
    response = _post(api, "/orders", {"inspection": inspection.pk})
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "issued" and order["documents"][0]["kind"] == "rectification_order"
    assert "reinspect" in order["allowed_actions"]
    first, second = (f["id"] for f in order["findings"])
    response = _post(
        api,
        "/reinspections",
        {
            "order": order["id"],
            "results": [
                {"finding": first, "result": "rectified"},
                {"finding": second, "result": "not_rectified"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["documents"][0]["kind"] == "reinspection_opinion"
    response = _post(api, f"/orders/{order['id']}/close", {})
    assert response.status_code == 409 and response.json()["code"] == "unrectified_findings"
    response = _post(api, f"/orders/{order['id']}/refer-penalty", {"facts": "逾期未整改"})
    assert response.status_code == 201
    penalty = response.json()
    assert penalty["status"] == "open" and penalty["findings"] == [second]
    response = _post(
        api,
        f"/penalties/{penalty['id']}/decide",
        {"legal_basis": "", "amount": "1000", "discretion": "general"},
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_data"
    assert "legal_basis" in response.json()["fields"]
    response = _post(
        api,
        f"/penalties/{penalty['id']}/decide",
        {"legal_basis": BASIS, "amount": "0", "discretion": "general"},
    )
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    assert PenaltyCase.objects.get().status == "open"
    response = _post(
        api,
        f"/penalties/{penalty['id']}/decide",
        {"legal_basis": BASIS, "amount": "20000", "discretion": "general"},
    )
    assert response.status_code == 200 and response.json()["status"] == "decided"
    assert _post(api, f"/penalties/{penalty['id']}/enforce", {}).json()["payment_status"] == "enforced"
    assert _post(api, f"/penalties/{penalty['id']}/close", {}).json()["status"] == "closed"
    documents = api.get(API + "/documents").json()
    assert {d["kind"] for d in documents["items"]} == {
        "rectification_order",
        "reinspection_opinion",
        "penalty_decision",
    }
    docx = api.get(API + f"/documents/{documents['items'][0]['id']}/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_reinspection_before_the_order_exists_is_a_409(api, inspection):
    finding = inspection.findings.first()
    response = _post(
        api,
        "/reinspections",
        {"inspection": inspection.pk, "results": [{"finding": finding.pk, "result": "rectified"}]},
    )
    assert response.status_code == 409 and response.json()["code"] == "no_order"
    assert _nothing_written() == (0, 0, 0, 0, [])


def test_reinspection_before_the_deadline_is_a_409(api, enterprise_a, inspector):
    later = make_inspection(
        enterprise_a, findings=1, actor=inspector, deadline=timezone.localdate() + datetime.timedelta(days=3)
    )
    order = _post(api, "/orders", {"inspection": later.pk}).json()
    before = _nothing_written()
    response = _post(
        api,
        "/reinspections",
        {"order": order["id"], "results": [{"finding": later.findings.get().pk, "result": "rectified"}]},
    )
    assert response.status_code == 409 and response.json()["code"] == "before_deadline"
    assert set(response.json()) == {"code", "message", "fields"}
    assert _nothing_written() == before


@pytest.mark.parametrize("amount", ["0", "-100"])
def test_a_direct_penalty_with_no_positive_amount_is_a_400(api, enterprise_a, amount):
    response = _post(
        api,
        "/penalties",
        {"enterprise": enterprise_a.pk, "legal_basis": BASIS, "amount": amount, "discretion": "general"},
    )
    assert response.status_code == 400 and "amount" in response.json()["fields"]
    assert _nothing_written() == (0, 0, 0, 0, [])


def test_a_direct_penalty_without_legal_basis_is_a_400(api, enterprise_a):
    response = _post(
        api, "/penalties", {"enterprise": enterprise_a.pk, "amount": "5000", "discretion": "general"}
    )
    assert response.status_code == 400 and "legal_basis" in response.json()["fields"]
    assert _nothing_written() == (0, 0, 0, 0, [])


def test_leads_over_the_api(
    api, client_for, enterprise_a, enterprise_b, inspection, town_a_official, enterprise_a_user
):
    response = _post(
        api,
        "/leads",
        {"enterprise": enterprise_a.pk, "source": "video_check", "summary": "视频抽查未戴安全帽"},
    )
    assert response.status_code == 201
    lead = response.json()
    response = _post(api, f"/leads/{lead['id']}/dismiss", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = _post(api, f"/leads/{lead['id']}/handle", {"inspection": inspection.pk})
    assert response.status_code == 200 and response.json()["status"] == "handled"
    response = _post(api, f"/leads/{lead['id']}/dismiss", {"reason": "重复"})
    assert response.status_code == 409 and response.json()["code"] == "forbidden_transition"
    # A town official sees and adds leads of their town only.
    town = client_for(town_a_official)
    assert _post(town, "/leads", {"enterprise": enterprise_b.pk, "summary": "x"}).status_code == 400
    assert town.get(API + "/leads").json()["count"] == 1
    # An enterprise user sees no leads.
    assert client_for(enterprise_a_user).get(API + "/leads").status_code == 403
    assert EnforcementLead.objects.count() == 1


def test_enterprise_user_sees_own_orders_but_cannot_act(
    client_for, inspection, inspector, enterprise_a_user, enterprise_b_user
):
    order = services.issue_order(actor=inspector, inspection=inspection)
    own = client_for(enterprise_a_user)
    assert own.get(API + "/orders").json()["count"] == 1
    response = _post(own, f"/orders/{order.pk}/close", {})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert own.get(API + f"/documents/{order.documents.get().pk}/docx").status_code == 200
    other = client_for(enterprise_b_user)
    assert other.get(API + "/orders").json()["count"] == 0
    assert other.get(API + f"/orders/{order.pk}").status_code == 404


def test_patterns_are_for_the_bureau_admin(client_for, admin_user, inspector):
    admin = client_for(admin_user)
    response = _post(
        admin, "/patterns", {"division": COUNTY, "kind": "rectification_order", "pattern": "{abbr}责改{year}"}
    )
    assert response.status_code == 400 and "pattern" in response.json()["fields"]
    response = _post(
        admin,
        "/patterns",
        {"division": COUNTY, "kind": "rectification_order", "pattern": "(区)应急责改〔{year}〕{seq}号"},
    )
    assert response.status_code == 201 and response.json()["example"] == "(区)应急责改〔2026〕12号"
    assert client_for(inspector).get(API + "/patterns").status_code == 403
    assert NumberPattern.objects.count() == 1


def test_suspensions_and_patterns_over_the_api(api, client_for, admin_user, enterprise_a, county):
    response = _post(
        api, "/suspensions", {"enterprise": enterprise_a.pk, "reason": "拒不整改", "legal_basis": ""}
    )
    assert response.status_code == 400 and "legal_basis" in response.json()["fields"]
    assert EnforcementDocument.objects.count() == 0
    response = _post(
        api, "/suspensions", {"enterprise": enterprise_a.pk, "reason": "拒不整改", "legal_basis": BASIS}
    )
    assert response.status_code == 201 and response.json()["status"] == "active"
    assert EnforcementDocument.objects.get().kind == "coercive_measure"
    again = _post(api, "/suspensions", {"enterprise": enterprise_a.pk, "reason": "x", "legal_basis": BASIS})
    assert again.status_code == 409 and again.json()["code"] == "already_suspended"
    lifted = _post(api, f"/suspensions/{response.json()['id']}/lift", {"note": "整改合格"})
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    admin = client_for(admin_user)
    created = _post(
        admin, "/patterns", {"division": COUNTY, "kind": "penalty_decision", "pattern": "罚〔{year}〕{seq}号"}
    )
    pattern_id = created.json()["id"]
    changed = admin.put(
        API + f"/patterns/{pattern_id}",
        {"division": COUNTY, "kind": "penalty_decision", "pattern": "罚{year}-{seq:04d}"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["example"] == "罚2026-0012"
    assert admin.delete(API + f"/patterns/{pattern_id}").status_code == 204
    assert NumberPattern.objects.count() == 0
