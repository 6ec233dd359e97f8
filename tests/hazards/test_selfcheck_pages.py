"""Self-check pages and API: an enterprise user does a check on the phone, bureau staff plan and
watch the rate, and bad requests change nothing."""

import datetime
import json

import pytest
from django.utils import timezone

from yingji.hazards import services_selfcheck as services
from yingji.hazards.models import CheckPlan, CheckResult, CheckTask, Hazard

ITEMS = [("消防通道畅通，无堆物", "GB 50016"), ("灭火器压力正常", ""), ("配电箱门关闭", "")]


@pytest.fixture
def plan(enterprise_a_user):
    return services.create_plan(
        actor=enterprise_a_user,
        name="车间班组日查",
        kind="team_daily",
        frequency="daily",
        starts_on=timezone.localdate(),
        items=ITEMS,
    )


@pytest.fixture
def task(plan):
    return CheckTask.objects.get(plan=plan)


def item_ids(task):
    return list(services.current_items(task.plan).values_list("pk", flat=True))


def check_form(task, failed=()):
    data = {"note": "班前检查"}
    for i, pk in enumerate(item_ids(task)):
        data[f"result_{pk}"] = "fail" if i in failed else "pass"
        data[f"note_{pk}"] = "堆放纸箱" if i in failed else ""
    return data


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# -- pages ------------------------------------------------------------------------------------------


def test_enterprise_user_does_a_check_and_raises_a_failed_item(client_for, enterprise_a_user, task):
    client = client_for(enterprise_a_user)
    listing = client.get("/hazards/self-checks/tasks/")
    assert listing.status_code == 200 and "车间班组日查" in listing.content.decode()
    page = client.get(f"/hazards/self-checks/tasks/{task.pk}/")
    assert page.status_code == 200 and b'id="check-form"' in page.content
    response = client.post(f"/hazards/self-checks/tasks/{task.pk}/complete/", check_form(task, failed=[0]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.results.count() == 3
    page = client.get(f"/hazards/self-checks/tasks/{task.pk}/").content.decode()
    assert "raise-button" in page
    failed = CheckResult.objects.get(task=task, result="fail")
    assert client.post(f"/hazards/self-checks/results/{failed.pk}/hazard/").status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.source == "self_check" and CheckResult.objects.get(pk=failed.pk).hazard == hazard
    page = client.get(f"/hazards/self-checks/tasks/{task.pk}/").content.decode()
    assert "raise-button" not in page and f'data-hazard="{hazard.pk}"' in page
    client.post(f"/hazards/self-checks/results/{failed.pk}/hazard/")  # a second click
    assert Hazard.objects.count() == 1


def test_a_check_with_a_missing_item_is_refused_and_changes_nothing(client_for, enterprise_a_user, task):
    client = client_for(enterprise_a_user)
    data = check_form(task)
    del data[f"result_{item_ids(task)[1]}"]
    response = client.post(f"/hazards/self-checks/tasks/{task.pk}/complete/", data)
    assert response.status_code == 400
    assert f'data-field="item_{item_ids(task)[1]}"'.encode() in response.content
    task.refresh_from_db()
    assert task.status == "pending" and not task.results.exists()


def test_a_missed_task_is_flagged_and_cannot_be_done(client_for, enterprise_a_user, task):
    services.mark_missed(timezone.localdate() + datetime.timedelta(days=1))
    client = client_for(enterprise_a_user)
    page = client.get(f"/hazards/self-checks/tasks/{task.pk}/")
    assert b"yj-missed" in page.content and b'id="check-form"' not in page.content
    assert b"yj-missed" in client.get("/hazards/self-checks/tasks/").content
    client.post(f"/hazards/self-checks/tasks/{task.pk}/complete/", check_form(task))
    assert CheckTask.objects.get(pk=task.pk).status == "missed"


def test_enterprise_b_cannot_see_or_do_a_tasks(client_for, enterprise_b_user, task):
    client = client_for(enterprise_b_user)
    assert "车间班组日查" not in client.get("/hazards/self-checks/tasks/").content.decode()
    assert "车间班组日查" not in client.get("/hazards/self-checks/").content.decode()
    assert client.get(f"/hazards/self-checks/tasks/{task.pk}/").status_code == 404
    assert client.get(f"/hazards/self-checks/{task.plan_id}/").status_code == 404
    assert client.post(f"/hazards/self-checks/tasks/{task.pk}/complete/", check_form(task)).status_code == 404
    assert CheckTask.objects.get(pk=task.pk).status == "pending"


def test_enterprise_user_adds_a_plan_with_one_item_per_line(client_for, enterprise_a_user, enterprise_a):
    client = client_for(enterprise_a_user)
    assert client.get("/hazards/self-checks/add/").status_code == 200
    response = client.post(
        "/hazards/self-checks/add/",
        {
            "name": "部门周查",
            "kind": "dept_weekly",
            "frequency": "weekly",
            "starts_on": timezone.localdate().isoformat(),
            "items": "安全出口畅通 | GB 50016\n\n  应急照明完好  \n",
        },
    )
    assert response.status_code == 302
    plan = CheckPlan.objects.get(name="部门周查")
    assert plan.enterprise == enterprise_a
    assert list(services.current_items(plan).values_list("text", "basis")) == [
        ("安全出口畅通", "GB 50016"),
        ("应急照明完好", ""),
    ]
    assert plan.tasks.count() == 1
    assert client.get(f"/hazards/self-checks/{plan.pk}/").status_code == 200
    assert client.get(f"/hazards/self-checks/{plan.pk}/edit/").status_code == 200


def test_a_plan_without_items_or_with_an_end_before_its_start_is_refused(client_for, enterprise_a_user):
    client = client_for(enterprise_a_user)
    today = timezone.localdate()
    base = {"name": "x", "kind": "team_daily", "frequency": "daily", "starts_on": today.isoformat()}
    assert client.post("/hazards/self-checks/add/", {**base, "items": "  \n"}).status_code == 400
    response = client.post(
        "/hazards/self-checks/add/",
        {**base, "items": "a", "ends_on": (today - datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400 and b'data-field="ends_on"' in response.content
    assert not CheckPlan.objects.exists()


def test_bureau_staff_see_each_enterprises_rate_and_can_filter(
    client_for, staff_user, task, enterprise_a, enterprise_b
):
    client = client_for(staff_user)
    page = client.get("/hazards/self-checks/").content.decode()
    assert enterprise_a.name in page and 'id="overall-rate"' in page
    filtered = client.get("/hazards/self-checks/", {"enterprise": enterprise_b.pk}).content.decode()
    assert "车间班组日查" not in filtered
    by_town = client.get("/hazards/self-checks/", {"division": "329901001000"}).content.decode()
    assert "车间班组日查" in by_town
    assert client.get("/hazards/self-checks/tasks/").status_code == 200
    assert client.get(f"/hazards/self-checks/tasks/{task.pk}/").status_code == 200
    assert client.get("/hazards/self-checks/add/").status_code == 200
    response = client.post(
        "/hazards/self-checks/add/",
        {
            "enterprise": enterprise_b.pk,
            "name": "节前检查",
            "kind": "holiday",
            "frequency": "once",
            "starts_on": timezone.localdate().isoformat(),
            "items": "值班安排到位",
        },
    )
    assert response.status_code == 302
    assert CheckPlan.objects.get(name="节前检查").enterprise == enterprise_b


def test_the_menu_links_to_self_checks(client_for, enterprise_a_user):
    html = client_for(enterprise_a_user).get("/accounts/password_change/").content.decode()
    menu = html[html.index('id="main-nav"') :]
    assert 'href="/hazards/self-checks/tasks/"' in menu[: menu.index("</ul>")]


def test_leader_views_but_cannot_do_or_plan(client_for, leader, task):
    client = client_for(leader)
    page = client.get(f"/hazards/self-checks/tasks/{task.pk}/")
    assert page.status_code == 200 and b'id="check-form"' not in page.content
    assert client.post(f"/hazards/self-checks/tasks/{task.pk}/complete/", check_form(task)).status_code == 403
    assert client.get("/hazards/self-checks/add/").status_code == 403


# -- API --------------------------------------------------------------------------------------------


def test_api_plans_create_list_and_read(client_for, enterprise_a_user, staff_user, enterprise_a):
    client = client_for(enterprise_a_user)
    body = {
        "name": "厂长月查",
        "kind": "manager_monthly",
        "frequency": "monthly",
        "starts_on": timezone.localdate().isoformat(),
        "items": [{"text": "安全生产责任制落实", "basis": "安全生产法第二十二条"}, {"text": "隐患台账更新"}],
    }
    response = post_json(client, "/api/v1/self-checks/plans", body)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["enterprise"] == enterprise_a.pk and len(plan["items"]) == 2
    assert client.get("/api/v1/self-checks/plans").json()["count"] == 1
    assert client.get(f"/api/v1/self-checks/plans/{plan['id']}").json()["name"] == "厂长月查"
    bad = post_json(client, "/api/v1/self-checks/plans", {**body, "items": [], "kind": "yearly"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_data"
    assert CheckPlan.objects.count() == 1
    staff = client_for(staff_user)
    no_enterprise = post_json(staff, "/api/v1/self-checks/plans", body)
    assert no_enterprise.status_code == 400 and "enterprise" in no_enterprise.json()["fields"]


def test_api_complete_a_task_and_raise_a_hazard(client_for, enterprise_a_user, task):
    client = client_for(enterprise_a_user)
    ids = item_ids(task)
    listed = client.get("/api/v1/self-checks/tasks", {"status": "pending"}).json()
    assert [t["id"] for t in listed["items"]] == [task.pk]
    body = {
        "results": [{"item": ids[0], "result": "fail", "note": "堆物"}]
        + [{"item": i, "result": "pass"} for i in ids[1:]]
    }
    done = post_json(client, f"/api/v1/self-checks/tasks/{task.pk}/complete", body)
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = post_json(client, f"/api/v1/self-checks/tasks/{task.pk}/complete", body)
    assert again.status_code == 409 and again.json()["code"] == "already_done"
    failed = next(r for r in done.json()["results"] if r["result"] == "fail")
    raised = post_json(client, f"/api/v1/self-checks/results/{failed['id']}/hazard", {})
    assert raised.status_code == 201 and raised.json()["source"] == "self_check"
    twice = post_json(client, f"/api/v1/self-checks/results/{failed['id']}/hazard", {})
    assert twice.status_code == 409 and twice.json()["code"] == "already_raised"
    assert Hazard.objects.count() == 1


@pytest.mark.parametrize("breakage", ["missing", "unknown", "other_plan", "bad_result", "twice"])
def test_api_bad_results_change_nothing(client_for, enterprise_a_user, task, breakage):
    client = client_for(enterprise_a_user)
    ids = item_ids(task)
    results = [{"item": i, "result": "pass"} for i in ids]
    if breakage == "missing":
        results.pop()
    elif breakage == "unknown":
        results.append({"item": 999999, "result": "pass"})
    elif breakage == "other_plan":
        other = CheckPlan.objects.create(
            enterprise=task.enterprise,
            name="o",
            kind="team_daily",
            frequency="daily",
            starts_on=task.period_start,
        )
        results.append({"item": other.items.create(order=1, text="x").pk, "result": "pass"})
    elif breakage == "bad_result":
        results[0]["result"] = "maybe"
    else:
        results.append(results[0])
    response = post_json(client, f"/api/v1/self-checks/tasks/{task.pk}/complete", {"results": results})
    assert response.status_code == 400 and response.json()["code"] == "invalid_data"
    assert response.json()["fields"]
    task.refresh_from_db()
    assert task.status == "pending" and not task.results.exists()


def test_api_rate_and_its_bad_input(client_for, staff_user, enterprise_a, enterprise_a_user, task):
    client = client_for(staff_user)
    today = timezone.localdate()
    figures = client.get("/api/v1/self-checks/rate", {"enterprise": enterprise_a.pk}).json()
    assert (figures["due"], figures["rate"]) == (0, None)  # today's task is not due yet
    services.complete_task(task, actor=enterprise_a_user, results=dict.fromkeys(item_ids(task), ("pass", "")))
    figures = client.get("/api/v1/self-checks/rate", {"enterprise": enterprise_a.pk}).json()
    assert (figures["done"], figures["rate"]) == (1, 1.0)
    bad = client.get(
        "/api/v1/self-checks/rate",
        {"start": today.isoformat(), "end": (today - datetime.timedelta(days=1)).isoformat()},
    )
    assert bad.status_code == 400 and "end" in bad.json()["fields"]
    assert client.get("/api/v1/self-checks/tasks", {"status": "bogus"}).status_code == 400


def test_api_scoping_enterprise_b_cannot_reach_a(client_for, enterprise_b_user, enterprise_a, task):
    client = client_for(enterprise_b_user)
    assert client.get("/api/v1/self-checks/tasks").json()["count"] == 0
    assert client.get(f"/api/v1/self-checks/plans/{task.plan_id}").status_code == 404
    assert client.get("/api/v1/self-checks/rate", {"enterprise": enterprise_a.pk}).status_code == 404
    response = post_json(client, f"/api/v1/self-checks/tasks/{task.pk}/complete", {"results": []})
    assert response.status_code == 404


def test_list_pages_do_not_query_per_row(
    client_for, staff_user, enterprise_a_user, django_assert_max_num_queries
):
    client = client_for(staff_user)
    urls = ("/hazards/self-checks/", "/hazards/self-checks/tasks/")

    def add_plans(n):
        for i in range(n):
            services.create_plan(
                actor=enterprise_a_user,
                name=f"日查{i}",
                kind="team_daily",
                frequency="daily",
                starts_on=timezone.localdate(),
                items=ITEMS,
            )

    def queries(url):
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    add_plans(2)
    client.get(urls[0])  # the first request of the session saves it
    before = [queries(url) for url in urls]
    add_plans(10)
    assert [queries(url) for url in urls] == before
