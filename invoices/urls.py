from __future__ import annotations

from django.urls import path

from invoices.views import challans, clients, einvoices, exports, invoices, payments, pdfs, settings, trash

app_name = "invoices"

urlpatterns = [
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/new/", invoices.invoice_create, name="invoice_create"),
    path("invoices/export.csv", exports.invoices_csv, name="invoice_csv"),
    path("invoices/<int:pk>/", invoices.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/edit/", invoices.InvoiceEditView.as_view(), name="invoice_edit"),
    path("invoices/<int:pk>/pdf/", pdfs.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<int:pk>/einvoice/", einvoices.InvoiceEInvoiceView.as_view(), name="invoice_einvoice"),
    path("invoices/<int:pk>/einvoice.xml", einvoices.InvoiceUblView.as_view(), name="invoice_ubl"),
    path("invoices/<int:pk>/send/", invoices.SendInvoiceView.as_view(), name="invoice_send"),
    path("invoices/<int:pk>/cancel/", invoices.CancelInvoiceView.as_view(), name="invoice_cancel"),
    path("invoices/<int:pk>/duplicate/", invoices.DuplicateInvoiceView.as_view(), name="invoice_duplicate"),
    path("invoices/<int:pk>/delete/", invoices.DeleteInvoiceView.as_view(), name="invoice_delete"),
    path("invoices/<int:pk>/payments/", invoices.RecordPaymentView.as_view(), name="invoice_record_payment"),
    path("invoices/<int:pk>/credit-note/", invoices.CreditNoteCreateView.as_view(), name="credit_note_create"),
    path("clients/", clients.client_list, name="client_list"),
    path("clients/new/", clients.client_create, name="client_create"),
    path("clients/export.csv", exports.clients_csv, name="client_csv"),
    path("clients/<int:pk>/", clients.ClientDetailView.as_view(), name="client_detail"),
    path("clients/<int:pk>/edit/", clients.ClientEditView.as_view(), name="client_edit"),
    path("clients/<int:pk>/statement/", clients.ClientStatementView.as_view(), name="client_statement"),
    path("payments/", payments.payment_list, name="payment_list"),
    path("payments/new/", payments.general_payment_create, name="payment_create"),
    path("payments/export.csv", exports.payments_csv, name="payment_csv"),
    path("payments/<int:pk>/receipt/", pdfs.PaymentReceiptView.as_view(), name="payment_receipt"),
    path("payments/<int:pk>/delete/", payments.DeletePaymentView.as_view(), name="payment_delete"),
    path("credit-notes/", payments.credit_note_list, name="credit_note_list"),
    path("credit-notes/<int:pk>/pdf/", pdfs.CreditNotePdfView.as_view(), name="credit_note_pdf"),
    path("credit-notes/<int:pk>/einvoice.xml", einvoices.CreditNoteUblView.as_view(), name="credit_note_ubl"),
    path("credit-notes/<int:pk>/delete/", payments.DeleteCreditNoteView.as_view(), name="credit_note_delete"),
    path("delivery-notes/", challans.challan_list, name="challan_list"),
    path("delivery-notes/new/", challans.challan_create, name="challan_create"),
    path("delivery-notes/<int:pk>/", challans.ChallanDetailView.as_view(), name="challan_detail"),
    path("delivery-notes/<int:pk>/pdf/", pdfs.ChallanPdfView.as_view(), name="challan_pdf"),
    path("delivery-notes/<int:pk>/invoice/", challans.ConvertChallanView.as_view(), name="challan_convert"),
    path("delivery-notes/<int:pk>/delete/", challans.DeleteChallanView.as_view(), name="challan_delete"),
    path("billing/settings/", settings.billing_settings, name="billing_settings"),
    path("deleted/", trash.deleted_items, name="deleted_items"),
    path("deleted/invoices/<int:pk>/restore/", trash.RestoreInvoiceView.as_view(), name="invoice_restore"),
    path("deleted/payments/<int:pk>/restore/", trash.RestorePaymentView.as_view(), name="payment_restore"),
    path("deleted/credit-notes/<int:pk>/restore/", trash.RestoreCreditNoteView.as_view(), name="credit_note_restore"),
    path("deleted/delivery-notes/<int:pk>/restore/", trash.RestoreChallanView.as_view(), name="challan_restore"),
]
