"""The ledger (挂账销账) and the statistics pages (included by hazards/urls.py under `hazards`)."""

from django.urls import path

from yingji.hazards import views_ledger

urlpatterns = [
    path("ledger/", views_ledger.LedgerView.as_view(), name="ledger"),
    path("ledger/export/", views_ledger.LedgerExportView.as_view(), name="ledger_export"),
    path("statistics/", views_ledger.StatisticsView.as_view(), name="statistics"),
]
