"""The inbox: list, mark one read, mark all read, and the bell (an htmx partial with the unread count).

Every view reads only the logged-in user's own messages (`services.inbox(user)`).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from yingji.messaging import services


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("messaging:message_list")


@login_required
@require_GET
def message_list(request):
    messages = services.inbox(request.user)
    if request.GET.get("unread") == "1":
        messages = messages.filter(read_at__isnull=True)
    page = Paginator(messages, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread": services.unread_count(request.user),
        "only_unread": request.GET.get("unread") == "1",
    }
    return render(request, "messaging/message_list.html", context)


@login_required
def message_read(request, pk: int):
    if request.method != "POST":
        get_object_or_404(services.inbox(request.user), pk=pk)  # someone else's message: 404 first
        return HttpResponseNotAllowed(["POST"])
    services.mark_read(pk, actor=request.user)
    return _back(request)


@login_required
@require_POST
def message_read_all(request):
    services.mark_all_read(actor=request.user)
    return _back(request)


@login_required
@require_GET
def message_bell(request):
    return render(request, "messaging/_bell.html", {"unread": services.unread_count(request.user)})
