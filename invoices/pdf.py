"""PDF documents for clients: invoices, credit notes, payment receipts and delivery notes.

The four public functions gather what their document shows (in three queries: the document
with its client and organisation, its lines, and the organisation's billing profile) and hand
it, as a plain :class:`_Document`, to one small builder that lays out every document the same
way on A4: the organisation and the document's title and dates at the top, the client below,
then the lines, the VAT summary per rate beside the totals, and closing sections (payment
instructions, notes). The text is real text in the standard PDF fonts, so it can be searched,
copied and read by accounting software.

Each function renders what is stored: it reloads the document by its primary key, so an
instance that is out of date (after a payment, say) still prints the current amounts. It writes
in the client's language (Client.language): every text, amount and date; the organisation's
logo, if it uploaded one, heads every page-one header.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from core.formatting import format_date, format_money, format_percent, format_quantity
from core.models import Organization
from core.validators import format_iban
from invoices.epc import credit_transfer
from invoices.models import (
    BillingProfile,
    Challan,
    Client,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
)
from invoices.models.lines import LineItem
from invoices.money import ZERO
from invoices.vat import STANDARD_REASONS, VatCategory, VatGroup, vat_breakdown, vat_total
from payments.accounts import enabled_provider_subquery
from payments.links import pay_online_url

__all__ = ["challan_pdf", "credit_note_pdf", "invoice_pdf", "payment_receipt_pdf"]

# --- look -------------------------------------------------------------------------------

_PAGE_WIDTH = A4[0]
_MARGIN = 18 * mm
_WIDTH = _PAGE_WIDTH - 2 * _MARGIN  # 174 mm of text width
_FRAME_PADDING = 6  # points: platypus pads its frame by this much inside the page margins

_INK = colors.HexColor("#1f2933")
_MUTED = colors.HexColor("#616e7c")
_RULE = colors.HexColor("#cbd2d9")
_SHADE = colors.HexColor("#f0f4f8")

_FONT, _BOLD = "Helvetica", "Helvetica-Bold"

_TEXT = ParagraphStyle("text", fontName=_FONT, fontSize=9, leading=12, textColor=_INK)
_STRONG = ParagraphStyle("strong", parent=_TEXT, fontName=_BOLD)
_SMALL = ParagraphStyle("small", parent=_TEXT, fontSize=7.5, leading=9.5, textColor=_MUTED)
_LABEL = ParagraphStyle("label", parent=_SMALL, fontName=_BOLD, spaceAfter=2)
_ISSUER = ParagraphStyle("issuer", parent=_TEXT, fontName=_BOLD, fontSize=13, leading=16, spaceAfter=3)
_TITLE = ParagraphStyle("title", parent=_TEXT, fontName=_BOLD, fontSize=20, leading=24, alignment=TA_RIGHT)
_NUMBER = ParagraphStyle("number", parent=_STRONG, fontSize=11, leading=15, alignment=TA_RIGHT, spaceAfter=6)
_LOGO_BOX = (50 * mm, 20 * mm)  # the most room the logo takes, top left: it is scaled to fit, never stretched

# A table style command: ("FONT", (first column, first row), (last column, last row), ...).
_Command = tuple[Any, ...]

# Plain-string cells (numbers, headers) are drawn as they are: faster than paragraphs.
_GRID: list[_Command] = [
    ("FONT", (0, 0), (-1, -1), _FONT, 9),
    ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]
_HEADED: list[_Command] = [
    *_GRID,
    ("FONT", (0, 0), (-1, 0), _BOLD, 8),
    ("BACKGROUND", (0, 0), (-1, 0), _SHADE),
    ("LINEBELOW", (0, 0), (-1, 0), 0.6, _RULE),
    ("LINEBELOW", (0, -1), (-1, -1), 0.6, _RULE),
]
_BARE: list[_Command] = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


# --- what a document shows ----------------------------------------------------------------


@dataclass(frozen=True)
class _Party:
    name: str
    details: Sequence[str] = ()  # address and contact lines, printed under the name


@dataclass(frozen=True)
class _Issuer:
    party: _Party
    iban: str = ""
    bic: str = ""
    footer: str = ""
    logo: bytes = b""  # PNG or JPEG, as checked and re-encoded on upload


@dataclass(frozen=True)
class _Total:
    label: str
    amount: Decimal
    strong: bool = False


@dataclass(frozen=True)
class _Section:
    heading: str
    rows: Sequence[tuple[str, str]] = ()  # label and value, the value in bold
    text: Sequence[str] = ()  # paragraphs under the rows
    figure: Flowable | None = None  # beside the rows and paragraphs, on the right


@dataclass(frozen=True)
class _Document:
    issuer: _Issuer
    title: str
    number: str
    facts: Sequence[tuple[str, str]]  # dates and references, top right under the number
    parties: Sequence[tuple[str, _Party]]  # ("Invoice to", client), ("Deliver to", address)
    currency: str
    items: Sequence[LineItem] | None = None  # None: the document has no lines table
    vat_groups: Sequence[VatGroup] = ()  # the VAT summary: as the document's VAT total was computed
    show_prices: bool = True
    totals: Sequence[_Total] = ()
    sections: Sequence[_Section] = ()


# --- public functions -----------------------------------------------------------------------


def invoice_file_name(invoice: Invoice) -> str:
    """What a reader's browser or phone calls the invoice's PDF."""
    return f"{slugify(invoice.number) or 'invoice'}.pdf"


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice with its lines, VAT summary, settlement and payment instructions."""
    invoices = Invoice.all_objects.select_related("client", "organization").prefetch_related("items")
    invoice = invoices.annotate(online_provider=enabled_provider_subquery()).get(pk=invoice.pk)
    with translation.override(invoice.client.language):
        return _render(_invoice_document(invoice))


def _invoice_document(invoice: Invoice) -> _Document:
    items = list(invoice.items.all())
    profile = _profile(invoice.organization)
    issuer = _issuer(invoice.organization, profile)
    money = _money(invoice.currency)
    facts = [(_("Invoice date"), _date(invoice.issue_date)), (_("Due date"), _date(invoice.due_date))]
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED):
        facts.append((_("Status"), str(invoice.get_status_display())))
    payment = [(_("Structured reference"), invoice.formatted_reference)]
    payment += [(label, value) for label, value in (("IBAN", issuer.iban), ("BIC", issuer.bic)) if value]
    if invoice.balance_due > 0 and invoice.is_open:
        amounts = {"amount": money(invoice.balance_due), "date": _date(invoice.due_date)}
        if issuer.iban:
            instruction = _(
                "Please transfer %(amount)s by %(date)s to the account above, quoting the structured reference."
            )
        else:
            instruction = _("Please transfer %(amount)s by %(date)s, quoting the structured reference.")
        instruction %= amounts
    else:
        instruction = _("Nothing is left to pay on this invoice. Thank you.")
    transfer = credit_transfer(invoice, profile)
    qr_code = _QrCode(transfer.qr_code()) if transfer else None
    if transfer:
        instruction += " " + _("Or scan the code with a banking app: it fills in the transfer.")
    text = [instruction]
    if online := pay_online_url(invoice):
        text.append(_("Pay online: %(url)s") % {"url": online})
    sections = [_Section(_("Payment"), rows=payment, text=text, figure=qr_code)]
    if invoice.notes:
        sections.append(_Section(_("Notes"), text=[invoice.notes]))
    return _Document(
        issuer=issuer,
        title=_("Invoice"),
        number=invoice.number,
        facts=facts,
        parties=[(_("Invoice to"), _client(invoice.client))],
        currency=invoice.currency,
        items=items,
        vat_groups=invoice.vat_groups(items),
        totals=[
            _Total(_("Subtotal"), invoice.subtotal),
            _Total(_("VAT"), invoice.vat_total),
            _Total(_("Total"), invoice.total, strong=True),
            _Total(_("Paid"), invoice.amount_paid),
            _Total(_("Credited"), invoice.amount_credited),
            _Total(_("Balance due"), invoice.balance_due, strong=True),
        ],
        sections=sections,
    )


def credit_note_pdf(credit_note: CreditNote) -> bytes:
    """The credit note with its lines and VAT summary, naming the invoice it credits."""
    credit_note = (
        CreditNote.all_objects.select_related("client", "invoice", "organization")
        .prefetch_related("items")
        .get(pk=credit_note.pk)
    )
    with translation.override(credit_note.client.language):
        return _render(_credit_note_document(credit_note))


def _credit_note_document(credit_note: CreditNote) -> _Document:
    invoice = credit_note.invoice
    items = list(credit_note.items.all())
    text = [
        _("This credit note reduces the amount due on invoice %(number)s of %(date)s.")
        % {"number": invoice.number, "date": _date(invoice.issue_date)}
    ]
    if credit_note.reason:
        text.append(_("Reason: %(reason)s") % {"reason": credit_note.reason})
    return _Document(
        issuer=_issuer(credit_note.organization, _profile(credit_note.organization)),
        title=_("Credit note"),
        number=credit_note.number,
        facts=[(_("Date"), _date(credit_note.issue_date)), (_("Credits invoice"), invoice.number)],
        parties=[(_("Credit to"), _client(credit_note.client))],
        currency=credit_note.currency,
        items=items,
        vat_groups=vat_breakdown(item.vat_line for item in items),
        totals=[
            _Total(_("Subtotal"), credit_note.subtotal),
            _Total(_("VAT"), credit_note.vat_total),
            _Total(_("Total credited"), credit_note.total, strong=True),
        ],
        sections=[_Section(_("About this credit note"), text=text)],
    )


def payment_receipt_pdf(payment: Payment) -> bytes:
    """A receipt for money received: on an invoice, or a general payment on the client's account."""
    payment = Payment.all_objects.select_related("client", "invoice", "organization").get(pk=payment.pk)
    with translation.override(payment.client.language):
        return _render(_receipt_document(payment))


def _receipt_document(payment: Payment) -> _Document:
    invoice = payment.invoice
    if invoice is None:
        applied_to = _("General payment on the client's account")
        facts = [(_("Payment date"), _date(payment.date)), (_("For"), _("General payment"))]
    else:
        applied_to = _("Invoice %(number)s of %(date)s") % {"number": invoice.number, "date": _date(invoice.issue_date)}
        facts = [(_("Payment date"), _date(payment.date)), (_("For invoice"), invoice.number)]
    rows = [(_("Method"), str(payment.get_method_display())), (_("Applied to"), applied_to)]
    if payment.reference:
        rows.append((_("Payer's reference"), payment.reference))
    if payment.is_overpayment:
        rows.append((_("Note"), _("Overpayment: the amount above the balance due is credited to the client.")))
    return _Document(
        issuer=_issuer(payment.organization, _profile(payment.organization)),
        title=_("Payment receipt"),
        number="",
        facts=facts,
        parties=[(_("Received from"), _client(payment.client))],
        currency=payment.currency,
        totals=[_Total(_("Amount received"), payment.amount, strong=True)],
        sections=[_Section(_("Payment"), rows=rows, text=[_("Received with thanks.")])],
    )


def challan_pdf(challan: Challan) -> bytes:
    """The delivery note: what was delivered, where; prices and totals only if its lines have prices."""
    challan = (
        Challan.all_objects.select_related("client", "invoice", "organization")
        .prefetch_related("items")
        .get(pk=challan.pk)
    )
    with translation.override(challan.client.language):
        return _render(_challan_document(challan))


def _challan_document(challan: Challan) -> _Document:
    items = list(challan.items.all())
    priced = any(item.unit_price for item in items)
    facts = [(_("Delivery date"), _date(challan.date))]
    if challan.invoice is not None:
        facts.append((_("Invoiced as"), challan.invoice.number))
    parties = [(_("Client"), _client(challan.client))]
    if challan.delivery_address.strip():
        parties.append((_("Deliver to"), _Party("", challan.delivery_address.strip().splitlines())))
    totals: list[_Total] = []
    groups = vat_breakdown(item.vat_line for item in items) if priced else []
    if priced:
        subtotal, vat = sum((item.net_amount for item in items), ZERO), vat_total(groups)
        totals = [
            _Total(_("Subtotal"), subtotal),
            _Total(_("VAT"), vat),
            _Total(_("Total"), subtotal + vat, strong=True),
        ]
    sections = [_Section(_("Notes"), text=[challan.notes])] if challan.notes else []
    signature = [(_("Name"), ""), (_("Date"), ""), (_("Signature"), "")]
    sections.append(_Section(_("Received in good order"), rows=signature))
    return _Document(
        issuer=_issuer(challan.organization, _profile(challan.organization)),
        title=_("Delivery note"),
        number=challan.number,
        facts=facts,
        parties=parties,
        currency=challan.client.currency,
        items=items,
        vat_groups=groups,
        show_prices=priced,
        totals=totals,
        sections=sections,
    )


# --- gathering ------------------------------------------------------------------------------


def _profile(organization: Organization) -> BillingProfile | None:
    return BillingProfile.objects.select_related("organization").filter(organization_id=organization.pk).first()


def _issuer(organization: Organization, profile: BillingProfile | None) -> _Issuer:
    """The organisation as printed: its billing profile if it has one, else only its name."""
    if profile is None:
        return _Issuer(_Party(organization.name))
    name = profile.legal_name or organization.name
    vat = [_vat_number(profile.vat_number)] if profile.vat_number else []
    contact = [value for value in (profile.email, profile.phone) if value]
    iban = format_iban(profile.iban)
    footer = profile.invoice_footer or " · ".join([name, *vat, *([f"IBAN {iban}"] if iban else []), *contact])
    party = _Party(name, [*profile.address_lines, *vat, *contact])
    return _Issuer(party, iban=iban, bic=profile.bic, footer=footer, logo=profile.logo_bytes)


def _vat_number(number: str) -> str:
    return _("VAT %(number)s") % {"number": number}


def _client(client: Client) -> _Party:
    vat = [_vat_number(client.vat_number)] if client.vat_number else []
    return _Party(client.name, [*client.address_lines, *vat])


def _vat_label(group: VatGroup) -> Paragraph | str:
    """The rate for standard-rated VAT; otherwise what the rate is, and why (the reason printed
    is what the law asks an invoice without VAT to state)."""
    if group.category == VatCategory.STANDARD:
        return _percent(group.rate)
    category = VatCategory(group.category)
    # The standard reason is the e-invoice's English code text: the PDF says it in the client's language.
    standard = not group.reason or group.reason == STANDARD_REASONS.get(category)
    reason = str(category.label) if standard else group.reason
    return Paragraph(escape(f"{_percent(group.rate)} {reason}"), _SMALL)


# --- formatting -----------------------------------------------------------------------------


def _money(currency: str) -> Callable[[Decimal], str]:
    return lambda amount: format_money(amount, currency)


def _date(value: datetime.date) -> str:
    return format_date(value)


def _number(value: Decimal) -> str:
    """2.000 → 2, 1.500 → 1,5 in Dutch and French, 1.5 in English: no trailing zeros."""
    return format_quantity(value)


def _percent(rate: Decimal) -> str:
    return format_percent(rate)


def _paragraph(text: str, style: ParagraphStyle = _TEXT) -> Paragraph:
    """A paragraph of plain text: markup characters are escaped, line breaks kept."""
    return Paragraph("<br/>".join(escape(line) for line in text.splitlines()), style)


# --- layout ---------------------------------------------------------------------------------


def _render(document: _Document) -> bytes:
    buffer = io.BytesIO()
    running_head = " ".join(part for part in (document.title, document.number) if part)
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN - _FRAME_PADDING,
        rightMargin=_MARGIN - _FRAME_PADDING,
        topMargin=_MARGIN - _FRAME_PADDING,
        bottomMargin=26 * mm - _FRAME_PADDING,
        title=running_head,
        author=document.issuer.party.name,
        subject=document.title,
        creator="Smart Invoice",
    )
    story: list[Any] = [_header(document), Spacer(1, 8 * mm), _parties(document.parties), Spacer(1, 8 * mm)]
    if document.items is not None:
        story += [_lines_table(document), Spacer(1, 5 * mm)]
    if document.totals:
        story += [_summary(document), Spacer(1, 6 * mm)]
    for section in document.sections:
        story += [_section(section), Spacer(1, 5 * mm)]
    decorate = _page_footer(document.issuer.footer or document.issuer.party.name, running_head, _("page"))
    template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _logo(data: bytes) -> Image | None:
    """The logo scaled to fit _LOGO_BOX, its proportions kept; None when there is none, or when
    reportlab cannot read it (the document is still worth printing without it)."""
    if not data:
        return None
    try:
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except OSError:
        return None
    scale = min(_LOGO_BOX[0] / width, _LOGO_BOX[1] / height)
    logo = Image(io.BytesIO(data), width=width * scale, height=height * scale)
    logo.hAlign = "LEFT"
    return logo


def _header(document: _Document) -> Table:
    """The organisation (under its logo) on the left; the title, number and dates on the right."""
    issuer = document.issuer.party
    left: list[Any] = [_paragraph(issuer.name, _ISSUER), _paragraph("\n".join(issuer.details), _SMALL)]
    logo = _logo(document.issuer.logo)
    if logo is not None:
        left[:0] = [logo, Spacer(1, 3 * mm)]
    right: list[Any] = [_paragraph(document.title, _TITLE)]
    if document.number:
        right.append(_paragraph(document.number, _NUMBER))
    facts = Table(
        [[label, _paragraph(value, _STRONG)] for label, value in document.facts],
        colWidths=[34 * mm, 40 * mm],  # room for the longest label in Dutch and French
        hAlign="RIGHT",
        style=TableStyle([*_GRID, ("TEXTCOLOR", (0, 0), (0, -1), _MUTED), ("TOPPADDING", (0, 0), (-1, -1), 1)]),
    )
    right.append(facts)
    return Table([[left, right]], colWidths=[_WIDTH - 78 * mm, 78 * mm], style=TableStyle(_BARE))


def _parties(parties: Sequence[tuple[str, _Party]]) -> Table:
    """The client (and a delivery address), side by side, each under a small heading."""
    cells = []
    for heading, party in parties:
        block = [_paragraph(heading.upper(), _LABEL)]
        if party.name:
            block.append(_paragraph(party.name, _STRONG))
        block.append(_paragraph("\n".join(party.details)))
        cells.append(block)
    width = _WIDTH / 2
    return Table([cells], colWidths=[width] * len(cells), hAlign="LEFT", style=TableStyle(_BARE))


def _lines_table(document: _Document) -> Table:
    """One row per line; prices, VAT and net amount only when the document has prices."""
    money = _money(document.currency)
    items = document.items or ()
    if document.show_prices:
        header = [_("Description"), _("Quantity"), _("Unit price"), _("VAT %"), _("Net amount")]
        widths = [_WIDTH - 102 * mm, 18 * mm, 30 * mm, 18 * mm, 36 * mm]
        rows = [
            [
                _paragraph(i.description),
                _number(i.quantity),
                money(i.unit_price),
                _percent(i.vat_rate),
                money(i.net_amount),
            ]
            for i in items
        ]
    else:
        header = [_("Description"), _("Quantity")]
        widths = [_WIDTH - 30 * mm, 30 * mm]
        rows = [[_paragraph(i.description), _number(i.quantity)] for i in items]
    style: list[_Command] = [
        *_HEADED,
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 1), (-1, -2), 0.25, _RULE),
    ]
    return Table([header, *rows], colWidths=widths, repeatRows=1, style=TableStyle(style))


def _summary(document: _Document) -> Table:
    """The VAT summary per rate (for documents with priced lines) beside the totals."""
    money = _money(document.currency)
    style: list[_Command] = [*_GRID, ("ALIGN", (1, 0), (1, -1), "RIGHT")]
    for row, total in enumerate(document.totals):
        if total.strong:  # bold, ruled off from the amounts it adds up
            style.append(("FONT", (0, row), (-1, row), _BOLD, 10))
            if row:
                style.append(("LINEABOVE", (0, row), (-1, row), 0.6, _INK))
    totals = Table(
        [[total.label, money(total.amount)] for total in document.totals],
        colWidths=[38 * mm, 36 * mm],
        hAlign="RIGHT",
        style=TableStyle(style),
    )
    if not (document.items and document.show_prices):
        return totals
    vat_rows = [[_vat_label(group), money(group.taxable), money(group.vat)] for group in document.vat_groups]
    vat_summary = Table(
        [[_("VAT"), _("Net base"), _("VAT amount")], *vat_rows],
        colWidths=[24 * mm, 38 * mm, 28 * mm],  # "Maatstaf van heffing", "Base d'imposition"
        hAlign="LEFT",
        style=TableStyle([*_HEADED, ("ALIGN", (0, 0), (-1, -1), "RIGHT")]),
    )
    return Table([[vat_summary, totals]], colWidths=[_WIDTH - 76 * mm, 76 * mm], style=TableStyle(_BARE))


def _section(section: _Section) -> KeepTogether:
    """A heading, label/value rows and paragraphs, with the figure (if any) on their right, kept
    on one page when they fit on one."""
    figure_width = section.figure.width + 6 * mm if section.figure is not None else 0
    width = _WIDTH - figure_width
    flowables: list[Any] = [_paragraph(section.heading.upper(), _LABEL)]
    if section.rows:
        style: list[_Command] = [*_GRID, ("TEXTCOLOR", (0, 0), (0, -1), _MUTED), ("LEFTPADDING", (0, 0), (0, -1), 0)]
        rows = []
        for row, (label, value) in enumerate(section.rows):
            rows.append([label, _paragraph(value, _STRONG) if value else ""])
            if not value:  # a line to write on: the delivery note's signature
                style.append(("LINEBELOW", (1, row), (1, row), 0.4, _RULE))
        labels = 48 * mm  # "Gestructureerde mededeling", "Communication structurée"
        flowables.append(Table(rows, colWidths=[labels, width - labels], hAlign="LEFT", style=TableStyle(style)))
    flowables += [_paragraph(text) for text in section.text]
    if section.figure is None:
        return KeepTogether(flowables)
    style = [*_BARE, ("ALIGN", (1, 0), (1, 0), "RIGHT")]
    return KeepTogether(
        [Table([[flowables, section.figure]], colWidths=[width, figure_width], style=TableStyle(style))]
    )


class _QrCode(Flowable):
    """A QR code drawn as one filled path, a rectangle per run of dark modules in a row (reportlab
    draws no SVG; a shape per module cost a PDF four times its time). The quiet zone of four
    modules the QR standard asks for stays white."""

    def __init__(self, code: segno.QRCode, module: float = 0.6 * mm, quiet_zone: int = 4) -> None:
        super().__init__()
        self.matrix, self.module, self.quiet_zone = code.matrix, module, quiet_zone
        self.width = self.height = (len(self.matrix) + 2 * quiet_zone) * module

    def draw(self) -> None:
        canvas, module = self.canv, self.module
        path = canvas.beginPath()
        for row, modules in enumerate(self.matrix):
            y = self.height - (self.quiet_zone + row + 1) * module
            for start, length in _runs(modules):
                path.rect((self.quiet_zone + start) * module, y, length * module, module)
        canvas.setFillColor(colors.black)
        canvas.drawPath(path, stroke=0, fill=1)


def _runs(modules: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules."""
    start = None
    for column, dark in enumerate([*modules, 0]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            yield start, column - start
            start = None


def _page_footer(text: str, running_head: str, page_word: str) -> Callable[[Any, Any], None]:
    """Draws, at the bottom of every page, the document and page number above a rule and the
    organisation's footer (up to three lines across the page) below it."""
    footer = _paragraph(text, _SMALL)
    _, height = footer.wrap(_WIDTH, 12 * mm)

    def draw(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(_FONT, 7.5)
        canvas.setFillColor(_MUTED)
        canvas.drawRightString(_PAGE_WIDTH - _MARGIN, 19 * mm, f"{running_head} · {page_word} {template.page}")
        canvas.setStrokeColor(_RULE)
        canvas.setLineWidth(0.5)
        canvas.line(_MARGIN, 17.5 * mm, _PAGE_WIDTH - _MARGIN, 17.5 * mm)
        footer.drawOn(canvas, _MARGIN, 15 * mm - height)
        canvas.restoreState()

    return draw
