"""URLs of the pupil views (the record from the registration office's report to counselling)."""

from django.urls import path

from . import pupil_views as views

urlpatterns = [
    path("", views.PupilListView.as_view(), name="pupil-list"),
    path("neu/", views.PupilCreateView.as_view(), name="pupil-create"),
    path("import/", views.PupilImportView.as_view(), name="pupil-import"),
    path("<int:pk>/", views.PupilDetailView.as_view(), name="pupil-detail"),
    path("<int:pk>/bearbeiten/", views.PupilUpdateView.as_view(), name="pupil-update"),
    path("<int:pk>/status/", views.PupilStatusView.as_view(), name="pupil-status"),
    path("<int:pk>/beratung/", views.CounsellingView.as_view(), name="counselling"),
    path("<int:pk>/auskunft.json", views.PupilExportView.as_view(), name="pupil-export"),
]
