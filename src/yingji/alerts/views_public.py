"""The public side of CAP: an Atom feed of issued public warnings and each one's CAP 1.2 message.
No login: only warnings that are live, `Public` in scope and `Actual` are shown."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from yingji.alerts import capio, rules
from yingji.alerts.models import Warning

FEED_SIZE = 100


def public_warnings():
    return Warning.objects.filter(status__in=rules.LIVE, cap_scope="Public", cap_status="Actual").exclude(
        identifier=""
    )


def feed(request):
    feed = Atom1Feed(
        title=_("Public warnings"),
        link=request.build_absolute_uri(reverse("cap:feed")),
        description=_("Issued public warnings as CAP 1.2 messages."),
        language="zh-CN",
        feed_url=request.build_absolute_uri(reverse("cap:feed")),
    )
    for warning in public_warnings().order_by("-sent", "-id")[:FEED_SIZE]:
        url = request.build_absolute_uri(reverse("cap:message", args=[warning.identifier]))
        feed.add_item(
            title=warning.headline,
            link=url,
            description=warning.description,
            unique_id=f"urn:cap:{warning.sender}:{warning.identifier}",
            updateddate=warning.sent,
            pubdate=warning.sent,
            author_name=warning.sender_name or warning.sender,
            categories=[warning.event, warning.level],
            enclosures=None,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    response["Last-Modified"] = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def message(request, identifier: str):
    warning = public_warnings().filter(identifier=identifier).first()
    if warning is None:
        raise Http404
    return HttpResponse(capio.export_cap(warning), content_type="application/cap+xml; charset=utf-8")


def public_list(request):
    """The public page: issued public warnings, highest level first, each with its CAP XML link."""
    order = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    now = timezone.now()
    live = public_warnings().exclude(expires__lte=now)  # not yet marked expired by the periodic task
    warnings = list(
        live.select_related("division").prefetch_related("areas").order_by("-sent", "-id")[:FEED_SIZE]
    )
    warnings.sort(key=lambda w: order.get(w.level, 9))  # stable: newest first within a level
    return render(request, "alerts/public/public_list.html", {"warnings": warnings, "now": now})
