from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("akteure/", views.ActorListView.as_view(), name="actor-list"),
    path("akteure/neu/", views.ActorFormView.as_view(), name="actor-create"),
    path("akteure/<int:pk>/", views.ActorDetailView.as_view(), name="actor-detail"),
    path("akteure/<int:pk>/bearbeiten/", views.ActorFormView.as_view(), name="actor-update"),
    path("akteure/<int:pk>/archiv/", views.ActorArchiveView.as_view(), name="actor-archive"),
    path("akteure/<int:pk>/kontakte/", views.ContactCreateView.as_view(), name="contact-create"),
    path("kontakte/<int:pk>/entfernen/", views.ContactDeleteView.as_view(), name="contact-delete"),
]
