from django.urls import path

from yingji.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.message_list, name="message_list"),
    path("bell/", views.message_bell, name="message_bell"),
    path("read/", views.message_read_all, name="message_read_all"),
    path("<int:pk>/read/", views.message_read, name="message_read"),
]
