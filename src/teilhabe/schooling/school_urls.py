"""URLs of the school views."""

from django.urls import path

from . import school_views as views

urlpatterns: list = [
    path("schulen/", views.SchoolListView.as_view(), name="school-list"),
    path("schulen/neu/", views.SchoolFormView.as_view(), name="school-create"),
    path("schulen/<int:pk>/", views.SchoolDetailView.as_view(), name="school-detail"),
    path("schulen/<int:pk>/bearbeiten/", views.SchoolFormView.as_view(), name="school-update"),
    path("schulen/<int:pk>/plaetze/", views.CapacityUpdateView.as_view(), name="capacity-update"),
    path("plaetze/", views.CapacityOverviewView.as_view(), name="capacity-overview"),
    path("wartezeiten/", views.WaitingTimesView.as_view(), name="waiting-times"),
]
