from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import cases, directory

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/faelle/", cases.CaseListAPI.as_view(), name="cases"),
    path(
        "v1/verzeichnis/<slug:slug>/angebote/",
        directory.OfferListAPI.as_view(),
        name="directory-offers",
    ),
    path(
        "v1/verzeichnis/<slug:slug>/hsds/services/",
        directory.HsdsServicesAPI.as_view(),
        name="directory-hsds",
    ),
]
