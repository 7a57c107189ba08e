from django.urls import path

from . import public

app_name = "directory"

urlpatterns = [
    path("<slug:slug>/", public.directory, name="offer-list"),
    path("<slug:slug>/<uuid:uid>/", public.offer_page, name="offer-detail"),
]
