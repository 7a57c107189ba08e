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

urlpatterns += [
    path("gremien/", views.GroupListView.as_view(), name="group-list"),
    path("gremien/neu/", views.GroupFormView.as_view(), name="group-create"),
    path("gremien/<int:pk>/", views.GroupDetailView.as_view(), name="group-detail"),
    path("gremien/<int:pk>/bearbeiten/", views.GroupFormView.as_view(), name="group-update"),
    path("gremien/<int:pk>/mitglieder/", views.GroupMemberAddView.as_view(), name="member-add"),
    path(
        "mitglieder/<int:pk>/entfernen/",
        views.GroupMemberRemoveView.as_view(),
        name="member-remove",
    ),
    path("gremien/<int:pk>/sitzung/", views.MeetingCreateView.as_view(), name="meeting-create"),
    path("sitzungen/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("aufgaben/<int:pk>/erledigt/", views.FollowUpDoneView.as_view(), name="follow-up-done"),
    path("beziehungen/", views.CooperationGraphView.as_view(), name="graph"),
    path("vereinbarungen/", views.AgreementListView.as_view(), name="agreement-list"),
    path("vereinbarungen/neu/", views.AgreementFormView.as_view(), name="agreement-create"),
    path(
        "vereinbarungen/<int:pk>/bearbeiten/",
        views.AgreementFormView.as_view(),
        name="agreement-update",
    ),
    path("unsere-angaben/", views.OwnActorView.as_view(), name="own-actor"),
    path("vorschlaege/", views.ChangeListView.as_view(), name="change-list"),
    path("vorschlaege/<int:pk>/pruefen/", views.ChangeReviewView.as_view(), name="change-review"),
]
