"""What each audit event name means, in words people read: the log stores the English event name
(stable, searchable with the filter), the screens show these translated labels."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.password_changed": _("Password changed"),
    "auth.password_reset": _("Password reset"),
    "auth.email_confirmed": _("Email address confirmed"),
    "mfa.added": _("Two-factor authentication added"),
    "mfa.removed": _("Two-factor authentication removed"),
    "mfa.recovery_codes_reset": _("Recovery codes renewed"),
    "organization.created": _("Organisation created"),
    "membership.added": _("Member added"),
    "membership.role_changed": _("Role changed"),
    "membership.removed": _("Member removed"),
    "invitation.created": _("Invitation sent"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.revoked": _("Invitation revoked"),
    "invitation.accepted": _("Invitation accepted"),
    "connection.created": _("Connection linked"),
    "connection.reauthorised": _("Connection re-authorised"),
    "connection.reconnected": _("Connection linked again"),
    "connection.accounts_chosen": _("Accounts to include chosen"),
    "connection.ledger_ibans_set": _("IBANs of ledger accounts set"),
    "connection.account_source_chosen": _("Connection to count a bank account from chosen"),
    "connection.schedule_changed": _("Sync schedule changed"),
    "connection.disconnected": _("Connection disconnected"),
    "connection.revocation_unconfirmed": _("Revocation at the provider not confirmed"),
    "client.created": _("Client created"),
    "client.updated": _("Client changed"),
    "billing_profile.updated": _("Billing details changed"),
    "invoice.created": _("Invoice created"),
    "invoice.updated": _("Invoice changed"),
    "invoice.sent": _("Invoice sent"),
    "invoice.cancelled": _("Invoice cancelled"),
    "invoice.deleted": _("Invoice deleted"),
    "invoice.restored": _("Invoice restored"),
    "invoice.reminder_sent": _("Payment reminder sent"),
    "invoice.email_failed": _("Invoice email not delivered"),
    "invoice.booked_in_yuki": _("Invoice booked in Yuki"),
    "invoice.yuki_booking_failed": _("Booking in Yuki failed"),
    "invoice.import_changed": _("Imported invoice changed"),
    "invoice.import_retired": _("Duplicate imported invoice withdrawn"),
    "payment.recorded": _("Payment recorded"),
    "payment.deleted": _("Payment deleted"),
    "payment.restored": _("Payment restored"),
    "credit_note.issued": _("Credit note issued"),
    "creditnote.deleted": _("Credit note deleted"),
    "creditnote.restored": _("Credit note restored"),
    "challan.created": _("Delivery note created"),
    "challan.invoiced": _("Delivery note invoiced"),
    "challan.deleted": _("Delivery note deleted"),
    "challan.restored": _("Delivery note restored"),
    "einvoice.queued": _("E-invoice queued for Peppol"),
    "einvoice.sent": _("E-invoice delivered over Peppol"),
    "einvoice.failed": _("E-invoice delivery over Peppol failed"),
    "einvoice.received": _("E-invoice received over Peppol"),
    "bill.marked_paid": _("Bill marked as paid"),
    "bill.paid_from_bank": _("Bill paid from the bank"),
    "reconciliation.applied": _("Bank transaction matched automatically"),
    "reconciliation.confirmed": _("Match confirmed"),
    "reconciliation.split": _("Bank transaction split over invoices"),
    "reconciliation.rejected": _("Match rejected"),
    "reconciliation.reversed": _("Match reversed"),
    "category_rule.created": _("Category rule created"),
    "category_rule.changed": _("Category rule changed"),
    "category_rule.deleted": _("Category rule deleted"),
    "category_rule.moved": _("Category rule moved"),
    "dashboard.threshold_changed": _("Cash threshold changed"),
}


def action_label(action: str) -> str:
    """The event's label in the active language; an event without one shows its stored name."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
