from django.urls import path

from yingji.inspections import views_enforcement as views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="rectificationorder_list"),
    path("orders/add/", views.OrderEditView.as_view(), name="rectificationorder_add"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="rectificationorder_detail"),
    path("orders/<int:pk>/action/", views.OrderActionView.as_view(), name="rectificationorder_action"),
    path("penalties/", views.PenaltyListView.as_view(), name="penaltycase_list"),
    path("penalties/add/", views.PenaltyEditView.as_view(), name="penaltycase_add"),
    path("penalties/<int:pk>/", views.PenaltyDetailView.as_view(), name="penaltycase_detail"),
    path("penalties/<int:pk>/action/", views.PenaltyActionView.as_view(), name="penaltycase_action"),
    path("suspensions/<int:pk>/lift/", views.SuspensionLiftView.as_view(), name="suspension_lift"),
    path("leads/", views.LeadListView.as_view(), name="enforcementlead_list"),
    path("leads/add/", views.LeadEditView.as_view(), name="enforcementlead_add"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="enforcementlead_detail"),
    path("leads/<int:pk>/action/", views.LeadActionView.as_view(), name="enforcementlead_action"),
    path(
        "documents/inspection-record/", views.InspectionRecordView.as_view(), name="enforcementdocument_add"
    ),
    path("documents/<int:pk>/", views.DocumentPrintView.as_view(), name="enforcementdocument_detail"),
    path("documents/<int:pk>/docx/", views.DocumentDocxView.as_view(), name="enforcementdocument_docx"),
    path("document-numbers/", views.PatternListView.as_view(), name="numberpattern_list"),
    path("document-numbers/add/", views.PatternEditView.as_view(), name="numberpattern_add"),
    path("document-numbers/<int:pk>/", views.PatternEditView.as_view(), name="numberpattern_detail"),
    path("document-numbers/<int:pk>/delete/", views.PatternDeleteView.as_view(), name="numberpattern_delete"),
    path(
        "enterprises/<int:enterprise_id>/timeline/",
        views.TimelineView.as_view(),
        name="enterprise_timeline",
    ),
]
