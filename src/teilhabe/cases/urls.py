from django.urls import path

from . import caseload_urls, document_urls, retention_urls, views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("neu/", views.IntakeView.as_view(), name="case-create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("<int:pk>/bearbeiten/", views.CaseUpdateView.as_view(), name="case-update"),
    path("<int:pk>/zuweisen/", views.AssignView.as_view(), name="case-assign"),
    path("<int:pk>/phase/", views.PhaseView.as_view(), name="case-phase"),
    path("<int:pk>/abschliessen/", views.CloseView.as_view(), name="case-close"),
    path("<int:pk>/wiedereroeffnen/", views.ReopenView.as_view(), name="case-reopen"),
    path("<int:pk>/zusammenfuehren/", views.MergeView.as_view(), name="person-merge"),
    path("<int:pk>/aufenthalt/", views.ResidenceCreateView.as_view(), name="residence-create"),
    path("<int:pk>/sprachen/", views.LanguageCreateView.as_view(), name="language-create"),
    path("<int:pk>/haushalt/", views.HouseholdMemberCreateView.as_view(), name="household-create"),
    path("<int:pk>/stellen/", views.AgencyCreateView.as_view(), name="agency-create"),
    path("<int:pk>/entfernen/", views.PersonDetailRemoveView.as_view(), name="detail-remove"),
    path("<int:pk>/einschaetzung/", views.AssessmentView.as_view(), name="assessment-create"),
    path("<int:pk>/ziele/", views.GoalCreateView.as_view(), name="goal-create"),
    path("ziele/<int:pk>/status/", views.GoalStatusView.as_view(), name="goal-status"),
    path("<int:pk>/schritte/", views.ActionCreateView.as_view(), name="action-create"),
    path("schritte/<int:pk>/erledigt/", views.ActionDoneView.as_view(), name="action-done"),
    path("<int:pk>/kontakte/", views.ContactCreateView.as_view(), name="contact-create"),
    path("<int:pk>/termine/", views.AppointmentCreateView.as_view(), name="appointment-create"),
    path("<int:pk>/einwilligungen/", views.ConsentCreateView.as_view(), name="consent-create"),
    path(
        "einwilligungen/<int:pk>/widerruf/",
        views.ConsentWithdrawView.as_view(),
        name="consent-withdraw",
    ),
    path("<int:pk>/vermittlungen/", views.ReferralCreateView.as_view(), name="referral-create"),
    path(
        "vermittlungen/<int:pk>/status/",
        views.ReferralStatusView.as_view(),
        name="referral-status",
    ),
    path("<int:pk>/konferenzen/", views.ConferenceCreateView.as_view(), name="conference-create"),
    path("konferenzen/<int:pk>/", views.ConferenceView.as_view(), name="conference-detail"),
    path(
        "<int:pk>/systemrueckmeldung/",
        views.SystemGapCreateView.as_view(),
        name="system-gap-create",
    ),
    path("partner/", views.PartnerReferralListView.as_view(), name="partner-referrals"),
    path("partner/<int:pk>/", views.PartnerReferralView.as_view(), name="partner-referral"),
]

urlpatterns += document_urls.urlpatterns + caseload_urls.urlpatterns + retention_urls.urlpatterns
