"""Core's own pages: the division tree, division outlines for maps, and the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views import View
from django.views.decorators.http import require_safe

from yingji.core.models import AuditAction, AuditLog, Division


class DivisionListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Browse the jurisdiction: a division and its children, starting at the user's own division."""

    permission_required = "core.view_division"

    def get(self, request):
        scoped = Division.objects.for_user(request.user)
        code = request.GET.get("code") or (request.user.division_id or "")
        current = scoped.filter(code=code).first() if code else None
        if code and current is None:
            raise Http404
        children = scoped.filter(parent=current) if current else scoped.filter(parent__isnull=True)
        children = children.annotate(child_count=Count("children"))
        path = [
            d
            for d in (current.ancestors() if current else [])
            if d.code.startswith(request.user.scope_prefix or "~")
        ]
        return render(
            request,
            "core/division_list.html",
            {
                "current": current,
                "children": children,
                "path": path,
                "can_import": request.user.has_perm("core.import_division"),
            },
        )


@login_required
@require_safe
def division_outlines(request):
    """GeoJSON of the outlines within the user's division: it and its children (for maps without tiles)."""
    own = request.user.division
    if own is None and not request.user.is_superuser:
        return JsonResponse({"type": "FeatureCollection", "features": []})
    scoped = Division.objects.for_user(request.user).filter(outline__isnull=False)
    queryset = (
        scoped.filter(code=own.code) | scoped.filter(parent=own) if own else scoped.filter(level="county")
    )
    features = [
        {
            "type": "Feature",
            "geometry": d.outline,
            "properties": {"code": d.code, "name": d.name, "level": d.level},
        }
        for d in queryset.only("code", "name", "level", "outline")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


class AuditListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "core.view_auditlog"

    def get(self, request):
        queryset = AuditLog.objects.for_user(request.user)
        action = request.GET.get("action", "")
        if action in AuditAction.values:
            queryset = queryset.filter(action=action)
        username = request.GET.get("username", "").strip()
        if username:
            queryset = queryset.filter(username=username)
        page = Paginator(queryset, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "core/audit_list.html",
            {
                "page": page,
                "actions": AuditAction.choices,
                "action": action,
                "username": username,
            },
        )
