from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("zentrum/", views.CentreFiguresView.as_view(), name="centre-figures"),
    path("land/", views.StatewideFiguresView.as_view(), name="statewide-figures"),
]
