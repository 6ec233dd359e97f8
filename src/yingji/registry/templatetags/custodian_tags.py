"""`{% load custodian_tags %}{% custodian_card source %}`: the three custodians of a source and the
state of their duties, with links (for the source detail page)."""

from django import template

from yingji.registry import rules_custodians as rules
from yingji.registry import services_custodians as services
from yingji.registry.models_sources import CustodianRole

register = template.Library()


@register.inclusion_tag("registry/custodians/_source_card.html", takes_context=True)
def custodian_card(context, source):
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if user is None:
        return {"can_view": False}
    summary = services.duty_summary(source)
    return {
        "source": source,
        "rows": [{"role": r, "label": CustodianRole(r).label, **summary[r]} for r in rules.ROLES],
        "can_view": user.has_perm("registry.view_custodian"),
        "can_change": user.has_perm("registry.change_custodian"),
        "can_see_tasks": user.has_perm("registry.view_dutytask"),
    }
