from django.urls import include, path

from yingji.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", include("yingji.dashboard.urls_onemap")),  # the one map (一张图)
]
