"""Online supervision pages, included at /monitoring/supervision/ in the `monitoring` namespace."""

from django.urls import path

from yingji.monitoring import views_supervision as views

urlpatterns = [
    path("rollcalls/", views.RollCallListView.as_view(), name="rollcall_list"),
    path("rollcalls/add/", views.RollCallAddView.as_view(), name="rollcall_add"),
    path("rollcalls/<int:pk>/", views.RollCallDetailView.as_view(), name="rollcall_detail"),
    path("rollcalls/<int:pk>/close/", views.RollCallCloseView.as_view(), name="rollcall_close"),
    path("rollcalls/answers/", views.RollCallTargetListView.as_view(), name="rollcalltarget_list"),
    path(
        "rollcalls/answers/<int:pk>/answer/",
        views.RollCallTargetAnswerView.as_view(),
        name="rollcalltarget_answer",
    ),
    path(
        "rollcalls/answers/<int:pk>/finding/",
        views.TargetFindingView.as_view(),
        name="rollcalltarget_finding",
    ),
    path("video-checks/", views.VideoCheckListView.as_view(), name="videocheck_list"),
    path("video-checks/add/", views.VideoCheckAddView.as_view(), name="videocheck_add"),
    path("video-checks/<int:pk>/", views.VideoCheckDetailView.as_view(), name="videocheck_detail"),
    path(
        "video-checks/<int:pk>/screenshot/",
        views.VideoCheckScreenshotView.as_view(),
        name="videocheck_screenshot",
    ),
    path("video-checks/<int:pk>/finding/", views.VideoCheckFindingView.as_view(), name="videocheck_finding"),
    path("dust/schedules/", views.DustScheduleListView.as_view(), name="dustschedule_list"),
    path("dust/schedules/add/", views.DustScheduleEditView.as_view(), name="dustschedule_add"),
    path("dust/schedules/<int:pk>/", views.DustScheduleDetailView.as_view(), name="dustschedule_detail"),
    path("dust/schedules/<int:pk>/edit/", views.DustScheduleEditView.as_view(), name="dustschedule_edit"),
    path("dust/checkins/", views.DustCheckinListView.as_view(), name="dustcheckin_list"),
    path("dust/checkins/add/", views.DustCheckinAddView.as_view(), name="dustcheckin_add"),
    path("dust/checkins/<int:pk>/photo/", views.DustCheckinPhotoView.as_view(), name="dustcheckin_photo"),
    path("dust/results/", views.DustResultListView.as_view(), name="dustdayresult_list"),
    path(
        "dust/results/<int:pk>/finding/", views.DustResultFindingView.as_view(), name="dustdayresult_finding"
    ),
    path("league/", views.LeagueView.as_view(), name="supervision_league"),
    path("league/export/", views.LeagueExportView.as_view(), name="supervision_league_export"),
]
