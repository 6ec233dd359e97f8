"""URL patterns (included by hazards/urls.py or yingji/urls.py)."""

urlpatterns: list = []
