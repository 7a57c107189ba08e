"""The import page: upload a table of actors or offers, check it (dry run), import it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from teilhabe.core.spreadsheets import SpreadsheetError, read_rows, write_xlsx
from teilhabe.core.views import PermissionMixin, centre_for
from teilhabe.network.models import Actor, FieldOfAction
from teilhabe.network.permissions import EDITORS

from .importing import KINDS
from .models import Offer

#: Uploads larger than this are refused (a centre's list is far smaller).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: File names of the templates, by kind.
TEMPLATE_NAMES = {"actors": "vorlage-akteure.xlsx", "offers": "vorlage-angebote.xlsx"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What does the file contain?"),
        choices=[(name, kind.label) for name, kind in KINDS.items()],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8) or Excel workbook (.xlsx), at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file, save nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Please split it into several files.")
            )
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Please choose a CSV or XLSX file."))
        return upload


class ImportView(PermissionMixin, View):
    """Show the form; on upload, run the import (or its dry run) and show the report."""

    permission_required = "offers.change_offer"
    template_name = "offers/import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        centre = centre_for(request.user, *EDITORS)
        template = request.GET.get("vorlage")
        if template is not None:
            if template not in KINDS:
                raise Http404
            kind = KINDS[template]
            response = HttpResponse(
                write_xlsx([], kind.headers, title=str(kind.sheet_title)), content_type=XLSX_TYPE
            )
            response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAMES[template]}"'
            return response
        return self.show(request, centre, ImportForm(initial={"kind": "offers"}))

    def post(self, request: HttpRequest) -> HttpResponse:
        centre = centre_for(request.user, *EDITORS)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(request, centre, form)
        kind = KINDS[form.cleaned_data["kind"]]
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload, upload.name, required=kind.required)
        except SpreadsheetError as error:
            form.add_error("file", error.message)
            return self.show(request, centre, form)
        report = kind.run(request.user, centre, rows, dry_run=form.cleaned_data["dry_run"])
        # The browser cannot keep the chosen file: the next step needs it chosen again.
        fresh = ImportForm(initial={"kind": form.cleaned_data["kind"], "dry_run": True})
        return self.show(request, centre, fresh, report=report, file_name=upload.name)

    def show(
        self, request: HttpRequest, centre: Any, form: ImportForm, **extra: Any
    ) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "centre": centre,
                "form": form,
                "kinds": KINDS,
                "actor_kinds": Actor.Kind.choices,
                "fields_of_action": FieldOfAction.choices,
                "statuses": Offer.Status.choices,
                "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
                **extra,
            },
        )
