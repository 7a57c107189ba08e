from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("netzwerk/", include("teilhabe.network.urls")),
    path("angebote/", include("teilhabe.offers.urls")),
    path("faelle/", include("teilhabe.cases.urls")),
    path("seiteneinstieg/", include("teilhabe.schooling.urls")),
    path("verzeichnis/", include("teilhabe.offers.public_urls")),
    path("api/", include("teilhabe.api.urls")),
    path("berichte/", include("teilhabe.reporting.urls")),
    path("", include("teilhabe.core.urls")),
]

handler403 = "teilhabe.core.views.permission_denied"
handler404 = "teilhabe.core.views.not_found"
handler500 = "teilhabe.core.views.server_error"
