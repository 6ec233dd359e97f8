from django.urls import include, path

app_name = "inspections"

urlpatterns = [
    path("", include("yingji.inspections.urls_inspections")),  # checklists, inspections, QR check-in
    path("", include("yingji.inspections.urls_enforcement")),  # orders, re-inspections, penalties
    path("", include("yingji.inspections.urls_plans")),  # annual plans, random draws, coverage
]
