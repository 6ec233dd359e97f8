"""QR check-in (扫码检查): the enterprise's printable poster (HTML, PNG, PDF) and the page a scan opens.

The scan page works without login. It asks the phone for its location (the page's JS), then — on the
button — records the check-in and leads on by role: an inspector starts an inspection, a user of the
enterprise its self-check, anyone else the public report page. A closed enterprise or a bad token shows
an error page and records nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views import View

from yingji.hazards.models import CheckTask
from yingji.inspections import qr, services_checklists
from yingji.inspections import services_inspections as services
from yingji.inspections.models_checklists import ChecklistTemplate, InspectionKind
from yingji.registry.models import Enterprise


def _error(request, reason: str, enterprise: Enterprise | None = None, status: int = 400, message: str = ""):
    context = {"reason": reason, "enterprise": enterprise, "message": message}
    return render(request, "inspections/qr_error.html", context, status=status)


class QrPosterView(LoginRequiredMixin, View):
    """GET: the print page; ?format=png or ?format=pdf: the A4 poster file."""

    def get(self, request, enterprise_id):
        if not request.user.has_perm("registry.view_enterprise"):
            raise PermissionDenied
        try:
            enterprise = (
                Enterprise.objects.for_user(request.user).select_related("division").get(pk=enterprise_id)
            )
        except Enterprise.DoesNotExist:
            raise Http404 from None
        if enterprise.status == "closed":
            return _error(request, "closed", enterprise, status=410)
        url = qr.scan_url(request, enterprise)
        fmt = request.GET.get("format", "html")
        if fmt in ("png", "pdf"):
            try:
                data, content_type, filename = qr.poster_bytes(enterprise, url, fmt)
            except qr.PosterError as error:
                return _error(request, "no_font", enterprise, status=503, message=str(error))
            response = HttpResponse(data, content_type=content_type)
            response["Content-Disposition"] = content_disposition_header(False, filename)
            return response
        if fmt != "html":
            return HttpResponse(status=400)
        context = {"enterprise": enterprise, "url": url, "svg": qr.qr_svg(url)}
        return render(request, "inspections/qr_poster.html", context)


class QrScanView(View):
    """The page a scan opens (no login needed); POST records the check-in and leads on."""

    def _enterprise(self, token: str) -> Enterprise | None:
        return qr.enterprise_for_token(token)

    def get(self, request, token):
        enterprise = self._enterprise(token)
        if enterprise is None:
            return _error(request, "unknown", status=404)
        if enterprise.status == "closed":
            return _error(request, "closed", enterprise, status=410)
        return self._page(request, enterprise)

    def _page(self, request, enterprise, error: str = "", status: int = 200):
        purpose = services.purpose_for(request.user, enterprise)
        templates = (
            services_checklists.active_templates(request.user, enterprise) if purpose == "inspection" else []
        )
        context = {
            "enterprise": enterprise,
            "purpose": purpose,
            "templates": templates,
            "kinds": InspectionKind.choices,
            "error": error,
        }
        return render(request, "inspections/qr_scan.html", context, status=status)

    def post(self, request, token):
        enterprise = self._enterprise(token)
        if enterprise is None:
            return _error(request, "unknown", status=404)
        if enterprise.status == "closed":
            return _error(request, "closed", enterprise, status=410)
        user = request.user if request.user.is_authenticated else None
        purpose = services.purpose_for(user, enterprise)
        where = {
            "latitude": request.POST.get("latitude") or None,
            "longitude": request.POST.get("longitude") or None,
            "accuracy": request.POST.get("accuracy") or None,
        }
        try:
            if purpose == "inspection":
                template = None
                template_id = request.POST.get("template", "")
                if template_id:
                    template = (
                        ChecklistTemplate.objects.for_user(user).filter(pk=template_id).first()
                        if template_id.isdigit()
                        else None
                    )
                    if template is None:
                        raise ValidationError({"template": _("Choose one of the checklists offered.")})
                check_in, inspection = services.start_from_scan(
                    actor=user,
                    enterprise=enterprise,
                    template=template,
                    kind=request.POST.get("kind") or "routine",
                    **where,
                )
                self._warn_if_far(request, check_in)
                return HttpResponseRedirect(reverse("inspections:inspection_run", args=[inspection.pk]))
            check_in = services.record_check_in(actor=user, enterprise=enterprise, **where)
        except ValidationError as error:
            return self._page(request, enterprise, error=" ".join(error.messages), status=400)
        if purpose == "self_check":
            task = (
                CheckTask.objects.for_user(user)
                .filter(enterprise=enterprise, status="pending")
                .order_by("due_on")
                .first()
            )
            if task is not None:
                return HttpResponseRedirect(reverse("hazards:checktask_detail", args=[task.pk]))
            return HttpResponseRedirect(reverse("hazards:checktask_list"))
        if purpose == "view":
            return HttpResponseRedirect(reverse("registry:enterprise_detail", args=[enterprise.pk]))
        query = urlencode({"enterprise_name": enterprise.name, "division": enterprise.division_id})
        return HttpResponseRedirect(reverse("public:report_form") + "?" + query)

    @staticmethod
    def _warn_if_far(request, check_in) -> None:
        if check_in.is_far:
            messages.warning(
                request,
                _(
                    "Your phone reported a place {distance} from the enterprise; the check-in is flagged."
                ).format(distance=check_in.distance_label),
            )
        elif not check_in.location_known:
            messages.info(request, _("Your location is unknown; the check-in records it as unknown."))
