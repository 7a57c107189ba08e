"""The supply and demand analysis: table, export, and the population figures behind it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from teilhabe.core.maps import allow_tiles
from teilhabe.core.pdf import pdf_response, render_pdf
from teilhabe.core.roles import CENTRE_STAFF
from teilhabe.core.views import PermissionMixin, centre_for
from teilhabe.network.models import FieldOfAction
from teilhabe.network.permissions import EDITORS

from . import services
from .analysis import as_table, gap_map, gaps, supply_and_demand
from .models import PopulationFigure


def _year(request: HttpRequest) -> int:
    value = request.GET.get("jahr") or request.POST.get("jahr") or ""
    this_year = timezone.localdate().year
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else this_year


class SupplyDemandView(PermissionMixin, TemplateView):
    permission_required = "offers.view_offer"
    template_name = "offers/supply_demand.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("format") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def rows(self) -> tuple[Any, int, list[Any]]:
        centre = centre_for(self.request.user, *CENTRE_STAFF)
        year = _year(self.request)
        return centre, year, supply_and_demand(centre, year=year)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            **self.table_context(),
            can_edit=self.request.user.has_perm("offers.change_offer"),
            **kwargs,
        )

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        return allow_tiles(super().render_to_response(context, **kwargs))

    def table_context(self) -> dict[str, Any]:
        """Return the table (and its map) the page, the PDF and the tests share."""
        centre, year, rows = self.rows()
        marked = gaps(rows)
        table = [
            (
                row,
                [
                    (
                        value,
                        label,
                        row.offers.get(value, 0),
                        row.places.get(value, 0),
                        row.per_thousand(value),
                        marked[(row.municipality.pk, value)],
                    )
                    for value, label in FieldOfAction.choices
                ],
            )
            for row in rows
        ]
        return {
            "centre": centre,
            "year": year,
            "table": table,
            "fields": FieldOfAction.choices,
            "has_population": any(r.with_migration_history for r in rows),
            "gap_map": gap_map(table),
        }

    def export(self) -> HttpResponse:
        from teilhabe.core.spreadsheets import write_xlsx

        centre, year, rows = self.rows()
        headers, table = as_table(rows)
        response = HttpResponse(
            write_xlsx([dict(zip(headers, line, strict=True)) for line in table], headers),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="bestand-bedarf-{centre.slug}-{year}.xlsx"'
        )
        return response


class SupplyDemandPdfView(SupplyDemandView):
    """The gap table as a tagged PDF (A4 landscape), with the same figures as the page."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.table_context()
        pdf = render_pdf(
            "offers/supply_demand_pdf.html",
            context,
            language=translation.get_language() or "de",
        )
        return pdf_response(pdf, f"bestand-bedarf-{context['centre'].slug}-{context['year']}.pdf")


class PopulationView(PermissionMixin, TemplateView):
    """Enter residents and residents with a migration history per Gemeinde and year."""

    permission_required = "offers.change_offer"
    template_name = "offers/population.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        centre = centre_for(self.request.user, *EDITORS)
        year = _year(self.request)
        known = {
            f.municipality_id: f
            for f in PopulationFigure.objects.for_centre(centre).filter(year=year)
        }
        posted = kwargs.pop("posted", None)

        def shown(value: int | None) -> str:
            return "" if value is None else str(value)

        towns = []
        for town in centre.municipalities().order_by("name"):
            figure = known.get(town.pk)
            if posted is not None:  # what was typed stays, so nothing is lost on an error
                values = (
                    posted.get(f"residents-{town.pk}", ""),
                    posted.get(f"migration-{town.pk}", ""),
                )
            else:
                values = (
                    shown(figure and figure.residents),
                    shown(figure and figure.with_migration_history),
                )
            towns.append((town, values))
        return super().get_context_data(centre=centre, year=year, towns=towns, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        centre = centre_for(request.user, *EDITORS)
        year = _year(request)
        figures = {}
        try:
            for town in centre.municipalities():
                residents = _number(request.POST.get(f"residents-{town.pk}", ""), town)
                migration = _number(request.POST.get(f"migration-{town.pk}", ""), town)
                figures[town] = (residents, migration)
            changed = services.save_population(request.user, centre, year=year, figures=figures)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render_to_response(self.get_context_data(posted=request.POST))
        messages.success(
            request,
            _("%(count)s Gemeinden updated for %(year)s.") % {"count": changed, "year": year},
        )
        return redirect(f"{request.path}?jahr={year}")


def _number(value: str, town: Any) -> int | None:
    value = value.strip().replace(".", "").replace(" ", "")
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError(
            _("%(town)s: “%(value)s” is not a whole number.") % {"town": town, "value": value}
        )
    return int(value)
