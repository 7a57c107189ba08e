"""Import of actors and offers (the views live in import_views.py)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.ImportView.as_view(), name="import"),
]
