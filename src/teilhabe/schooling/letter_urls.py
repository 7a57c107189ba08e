"""URLs of the letters to parents, their texts, and the notice to a school."""

from django.urls import path

from . import letter_views as views

urlpatterns = [
    path("briefvorlagen/", views.LetterTemplateListView.as_view(), name="letter-templates"),
    path(
        "briefvorlagen/neu/",
        views.LetterTemplateCreateView.as_view(),
        name="letter-template-create",
    ),
    path(
        "briefvorlagen/<int:pk>/",
        views.LetterTemplateUpdateView.as_view(),
        name="letter-template-update",
    ),
    path("<int:pk>/eltern-informiert/", views.parents_informed, name="parents-informed"),
    path("<int:pk>/platzierungsbrief/", views.placement_letter, name="placement-letter"),
    path("briefe/<int:pk>/", views.letter_pdf, name="letter-pdf"),
    path("schulen/<int:pk>/mitteilung.pdf", views.school_notice, name="school-notice"),
]
