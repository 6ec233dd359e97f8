from django.urls import path

from yingji.alerts import views_public

urlpatterns = [
    path("", views_public.public_list, name="public_list"),  # the public warnings page
    path("feed.xml", views_public.feed, name="feed"),
    path("<str:identifier>.xml", views_public.message, name="message"),
]
