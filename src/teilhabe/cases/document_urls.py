"""URLs of case documents, PDFs and the Art. 15 export."""

from django.urls import path

from . import document_views as views

urlpatterns: list = [
    path("<int:pk>/einwilligung.pdf", views.consent_form, name="consent-form"),
    path("<int:pk>/hilfeplan.pdf", views.help_plan_pdf, name="help-plan-pdf"),
    path("<int:pk>/auskunft/", views.person_export, name="person-export"),
    path("<int:pk>/dokumente/", views.document_upload, name="document-upload"),
    path("dokumente/<int:pk>/", views.document_download, name="document-download"),
    path("dokumente/<int:pk>/loeschen/", views.document_delete, name="document-delete"),
]
