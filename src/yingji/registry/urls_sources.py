from django.urls import path

from yingji.registry import views_sources as views

urlpatterns = [
    path("sources/", views.SourceListView.as_view(), name="source_list"),
    path("sources/add/", views.SourceEditView.as_view(), name="source_add"),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source_detail"),
    path("sources/<int:pk>/edit/", views.SourceEditView.as_view(), name="source_edit"),
    path("sources/<int:pk>/delete/", views.SourceDeleteView.as_view(), name="source_delete"),
    path("sources/<int:pk>/assessment/", views.SourceAssessmentView.as_view(), name="source_assessment"),
]
