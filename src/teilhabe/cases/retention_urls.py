"""URLs of the retention views: settings, erasure journal, legal hold."""

from django.urls import path

from . import retention_views

urlpatterns: list = [
    path("einstellungen/", retention_views.CaseSettingsView.as_view(), name="settings"),
    path("loeschprotokoll/", retention_views.ErasureJournalView.as_view(), name="erasure-journal"),
    path("<int:pk>/aufbewahrung/", retention_views.LegalHoldView.as_view(), name="legal-hold"),
]
