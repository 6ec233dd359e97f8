from django.urls import path

from yingji.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.RiskPointListView.as_view(), name="riskpoint_list"),
    path("add/", views.RiskPointEditView.as_view(), name="riskpoint_add"),
    path("<int:pk>/", views.RiskPointDetailView.as_view(), name="riskpoint_detail"),
    path("<int:pk>/edit/", views.RiskPointEditView.as_view(), name="riskpoint_edit"),
    path("<int:pk>/delete/", views.RiskPointDeleteView.as_view(), name="riskpoint_delete"),
    path("<int:pk>/card/", views.RiskPointCardView.as_view(), name="riskpoint_card"),
    path("<int:pk>/measures/add/", views.RiskPointMeasureAddView.as_view(), name="riskpoint_measure_add"),
    path("measures/<int:pk>/edit/", views.ControlMeasureEditView.as_view(), name="controlmeasure_edit"),
    path("measures/<int:pk>/delete/", views.ControlMeasureDeleteView.as_view(), name="controlmeasure_delete"),
    path("units/", views.RiskUnitListView.as_view(), name="riskunit_list"),
    path("units/add/", views.RiskUnitEditView.as_view(), name="riskunit_add"),
    path("units/<int:pk>/", views.RiskUnitDetailView.as_view(), name="riskunit_detail"),
    path("units/<int:pk>/edit/", views.RiskUnitEditView.as_view(), name="riskunit_edit"),
    path("units/<int:pk>/delete/", views.RiskUnitDeleteView.as_view(), name="riskunit_delete"),
    path("posts/", views.PostListView.as_view(), name="post_list"),
    path("posts/add/", views.PostEditView.as_view(), name="post_add"),
    path("posts/<int:pk>/", views.PostDetailView.as_view(), name="post_detail"),
    path("posts/<int:pk>/edit/", views.PostEditView.as_view(), name="post_edit"),
    path("posts/<int:pk>/delete/", views.PostDeleteView.as_view(), name="post_delete"),
    path("posts/<int:pk>/cards/", views.PostCardsView.as_view(), name="post_cards"),
    path("config/", views.RiskMethodConfigView.as_view(), name="riskmethodconfig_list"),
]
