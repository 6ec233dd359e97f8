from django.urls import path

from yingji.alerts import views_calls as views

urlpatterns = [
    path("warnings/<int:pk>/board/", views.CallBoardView.as_view(), name="call_board"),
    path(
        "warnings/<int:pk>/board/record.<str:fmt>",
        views.CallBoardExportView.as_view(),
        name="call_board_export",
    ),
    path("calls/<int:pk>/ack/", views.CallAckView.as_view(), name="call_ack"),
    path("ack/<str:token>/", views.CallAckLinkView.as_view(), name="call_ack_link"),  # no login
    path("call-lists/", views.CallListView.as_view(), name="calllistentry_list"),
    path("call-lists/add/", views.CallListEditView.as_view(), name="calllistentry_add"),
    path("call-lists/<int:pk>/edit/", views.CallListEditView.as_view(), name="calllistentry_edit"),
]
