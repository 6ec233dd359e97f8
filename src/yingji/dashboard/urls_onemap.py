from django.urls import path

from yingji.dashboard import views_onemap

urlpatterns = [
    path("", views_onemap.onemap_page, name="onemap"),  # the one map (一图)
]
