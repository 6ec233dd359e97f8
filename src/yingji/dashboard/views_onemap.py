"""The one map page (一图): the layers the user may see over division outlines or base tiles."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from yingji.dashboard import onemap
from yingji.dashboard import rules_onemap as rules


@login_required
@require_safe
def onemap_page(request):
    layers = onemap.layers_for(request.user)
    if not layers:
        raise PermissionDenied
    return render(
        request,
        "dashboard/onemap.html",
        {
            "layers": layers,
            "layers_url": reverse("api:map_layers"),
            "card_url": reverse("api:map_card"),
            "within_url": reverse("api:map_within"),
            "max_radius_m": rules.MAX_RADIUS_M,
        },
    )
