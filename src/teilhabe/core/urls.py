from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("zentrum/mitarbeitende/", views.StaffListView.as_view(), name="staff-list"),
    path("zentrum/mitarbeitende/neu/", views.StaffCreateView.as_view(), name="staff-create"),
    path("zentrum/mitarbeitende/<int:pk>/", views.StaffDetailView.as_view(), name="staff-detail"),
    path("zentrum/mitarbeitende/<int:pk>/beenden/", views.StaffEndView.as_view(), name="staff-end"),
    path("zentrum/bezirke/", views.CaseAreaListView.as_view(), name="case-area-list"),
    path("zentrum/bezirke/neu/", views.CaseAreaFormView.as_view(), name="case-area-create"),
    path("zentrum/bezirke/<int:pk>/", views.CaseAreaDetailView.as_view(), name="case-area-detail"),
    path(
        "zentrum/bezirke/<int:pk>/bearbeiten/",
        views.CaseAreaFormView.as_view(),
        name="case-area-update",
    ),
    path("datenschutz/zugriffe/", views.AccessLogView.as_view(), name="access-log"),
    path("land/", views.StatewideView.as_view(), name="statewide"),
    path("barrierefreiheit/", views.AccessibilityView.as_view(), name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
]
