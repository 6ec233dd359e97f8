"""Checklists, inspections and QR check-ins, under /inspections/ in the `inspections` namespace."""

from django.urls import path

from yingji.inspections import views_checklists as checklists
from yingji.inspections import views_inspections as inspections
from yingji.inspections import views_qr as qr

urlpatterns = [
    path("checklists/", checklists.ChecklistListView.as_view(), name="checklisttemplate_list"),
    path("checklists/add/", checklists.ChecklistEditView.as_view(), name="checklisttemplate_add"),
    path("checklists/import/", checklists.ChecklistImportView.as_view(), name="checklisttemplate_import"),
    path(
        "checklists/import/template/",
        checklists.ChecklistTemplateFileView.as_view(),
        name="checklisttemplate_template",
    ),
    path("checklists/export/", checklists.ChecklistExportView.as_view(), name="checklisttemplate_export"),
    path("checklists/<int:pk>/", checklists.ChecklistDetailView.as_view(), name="checklisttemplate_detail"),
    path("checklists/<int:pk>/edit/", checklists.ChecklistEditView.as_view(), name="checklisttemplate_edit"),
    path(
        "checklists/<int:pk>/delete/",
        checklists.ChecklistDeleteView.as_view(),
        name="checklisttemplate_delete",
    ),
    path(
        "checklists/<int:pk>/new-version/",
        checklists.ChecklistNewVersionView.as_view(),
        name="checklisttemplate_new_version",
    ),
    path(
        "checklists/<int:pk>/activate/",
        checklists.ChecklistActivateView.as_view(),
        name="checklisttemplate_activate",
    ),
    path(
        "checklists/<int:pk>/retire/",
        checklists.ChecklistRetireView.as_view(),
        name="checklisttemplate_retire",
    ),
    path("records/", inspections.InspectionListView.as_view(), name="inspection_list"),
    path("records/add/", inspections.InspectionStartView.as_view(), name="inspection_add"),
    path("records/<int:pk>/", inspections.InspectionDetailView.as_view(), name="inspection_detail"),
    path("records/<int:pk>/run/", inspections.InspectionRunView.as_view(), name="inspection_run"),
    path(
        "records/<int:pk>/items/<int:checklistitem_id>/",
        inspections.InspectionRecordView.as_view(),
        name="inspection_record",
    ),
    path("records/<int:pk>/findings/", inspections.FindingAddView.as_view(), name="inspection_finding_add"),
    path(
        "records/<int:pk>/findings/<int:finding_id>/delete/",
        inspections.FindingDeleteView.as_view(),
        name="inspection_finding_delete",
    ),
    path("records/<int:pk>/finish/", inspections.InspectionFinishView.as_view(), name="inspection_finish"),
    path(
        "records/<int:pk>/photos/<int:inspectionphoto_id>/",
        inspections.InspectionPhotoView.as_view(),
        name="inspection_photo",
    ),
    path("check-ins/", inspections.CheckInListView.as_view(), name="checkin_list"),
    path("qr/<int:enterprise_id>/", qr.QrPosterView.as_view(), name="qr_poster"),
    path("qr/s/<str:token>/", qr.QrScanView.as_view(), name="qr_scan"),
]
