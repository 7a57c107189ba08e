"""URLs of the caseload figures and the system-gap overview (mounted under ``/faelle/``)."""

from django.urls import path

from . import caseload_views as views

urlpatterns = [
    path("fallzahlen/", views.CaseloadView.as_view(), name="caseload"),
    path("systemrueckmeldungen/", views.SystemGapListView.as_view(), name="system-gaps"),
    path(
        "systemrueckmeldungen/<int:pk>/aufgegriffen/",
        views.SystemGapTakeUpView.as_view(),
        name="system-gap-take-up",
    ),
]
