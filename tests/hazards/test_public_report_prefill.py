"""The public report form is pre-filled from an enterprise's QR poster (name and division code)."""

import pytest
from django.urls import reverse
from tests.conftest import TOWN_A, VILLAGE_A

pytestmark = pytest.mark.django_db


def test_the_form_takes_the_enterprise_and_its_village_from_the_query(county, client):
    url = reverse("public:report_form") + f"?enterprise_name=甲镇化工&division={VILLAGE_A}"
    form = client.get(url).context["form"]
    assert form.initial == {"enterprise_name": "甲镇化工", "town": TOWN_A, "village": VILLAGE_A}


def test_a_bad_division_code_is_ignored(county, client):
    url = reverse("public:report_form") + "?enterprise_name=x&division=12ab"
    assert client.get(url).context["form"].initial == {"enterprise_name": "x"}
