"""风险告知卡 and 两单两卡: DOCX that python-docx opens, and print-ready HTML."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from docx import Document


def docx_text(content: bytes) -> str:
    document = Document(BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def test_risk_card_docx_holds_the_point_and_its_measures(client_for, enterprise_a_user, point_a):
    response = client_for(enterprise_a_user).get(
        reverse("risk:riskpoint_card", args=[point_a.pk]), {"format": "docx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment" in response["Content-Disposition"]
    text = docx_text(response.content)
    for expected in (
        point_a.name,
        "装卸区设置静电接地报警装置",
        "泄漏时立即关闭紧急切断阀并疏散人员",
        "静电积聚",
        "王工",
        "119",
        "120",
    ):
        assert expected in text, expected
    document = Document(BytesIO(response.content))
    section = document.sections[0]
    assert round(section.page_width.cm) == 21 and round(section.page_height.cm) == 30
    fonts = document.styles["Normal"].element.xpath(".//w:rFonts/@w:eastAsia")
    assert fonts == ["宋体"]


def test_risk_card_html_is_print_ready(client_for, staff_user, point_a):
    response = client_for(staff_user).get(
        reverse("risk:riskpoint_card", args=[point_a.pk]), {"format": "html"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "@page" in content and "size: A4" in content
    assert point_a.name in content and "装卸区设置静电接地报警装置" in content
    assert "navbar" not in content


def test_post_cards_docx_and_html(client_for, enterprise_a_user, post_a, point_a):
    client = client_for(enterprise_a_user)
    response = client.get(reverse("risk:post_cards", args=[post_a.pk]))
    assert response.status_code == 200
    text = docx_text(response.content)
    for expected in (post_a.name, point_a.name, "检查静电接地", "连接静电接地夹", "撤离至上风向"):
        assert expected in text, expected
    html = client.get(reverse("risk:post_cards", args=[post_a.pk]), {"format": "html"}).content.decode()
    for section in ("post-risk-list", "post-duty-list", "post-operating-card", "post-emergency-card"):
        assert f'id="{section}"' in html
    assert "连接静电接地夹" in html and "@page" in html
