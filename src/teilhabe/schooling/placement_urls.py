"""URLs of the placement views."""

from django.urls import path

from . import placement_views as views

urlpatterns: list = [
    path("vorschlag/", views.ProposalCreateView.as_view(), name="proposal-create"),
    path("vorschlaege/", views.ProposalListView.as_view(), name="proposal-list"),
    path("vorschlaege/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path(
        "vorschlaege/<int:pk>/alle/",
        views.ProposalAcceptAllView.as_view(),
        name="proposal-accept-all",
    ),
    path(
        "vorschlaege/eintrag/<int:pk>/",
        views.ProposalItemDecideView.as_view(),
        name="proposal-decide",
    ),
    path("<int:pk>/platz/", views.PupilPlaceView.as_view(), name="pupil-place"),
]
