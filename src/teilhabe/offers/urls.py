from django.urls import include, path

from . import analysis_views, partner_views, views

app_name = "offers"

urlpatterns = [
    path("", views.OfferListView.as_view(), name="offer-list"),
    path("doppelstrukturen/", views.DuplicateListView.as_view(), name="duplicates"),
    path(
        "doppelstrukturen/<int:pk>/<int:other>/",
        views.DuplicateDecideView.as_view(),
        name="duplicate-decide",
    ),
    path("neu/", views.OfferFormView.as_view(), name="offer-create"),
    path("<int:pk>/", views.OfferDetailView.as_view(), name="offer-detail"),
    path("<int:pk>/bearbeiten/", views.OfferFormView.as_view(), name="offer-update"),
    path("<int:pk>/status/", views.OfferStatusView.as_view(), name="offer-status"),
    path("<int:pk>/geprueft/", views.OfferConfirmView.as_view(), name="offer-confirm"),
    path("<int:pk>/uebersetzung/", views.TranslationSaveView.as_view(), name="translation-save"),
    path("<int:pk>/orte/", views.LocationAddView.as_view(), name="location-add"),
    path("<int:pk>/zeiten/", views.HoursAddView.as_view(), name="hours-add"),
    path("orte/<int:pk>/entfernen/", views.LocationRemoveView.as_view(), name="location-remove"),
    path("zeiten/<int:pk>/entfernen/", views.HoursRemoveView.as_view(), name="hours-remove"),
    path("import/", include("teilhabe.offers.import_urls")),
    path("partner/", partner_views.PartnerOfferListView.as_view(), name="partner-offers"),
    path("partner/neu/", partner_views.PartnerOfferFormView.as_view(), name="partner-offer-create"),
    path(
        "partner/<int:pk>/",
        partner_views.PartnerOfferFormView.as_view(),
        name="partner-offer-update",
    ),
    path("bestand-bedarf/", analysis_views.SupplyDemandView.as_view(), name="supply-demand"),
    path(
        "bestand-bedarf/pdf/",
        analysis_views.SupplyDemandPdfView.as_view(),
        name="supply-demand-pdf",
    ),
    path("bevoelkerung/", analysis_views.PopulationView.as_view(), name="population"),
    path("rubriken/", views.RubricListView.as_view(), name="rubrics"),
    path("rubriken/<int:pk>/", views.RubricRenameView.as_view(), name="rubric-rename"),
    path(
        "rubriken/<int:pk>/archivieren/", views.RubricArchiveView.as_view(), name="rubric-archive"
    ),
    path("einstellungen/", views.OfferSettingsView.as_view(), name="settings"),
]
