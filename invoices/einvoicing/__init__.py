"""Peppol e-invoicing: our invoices and credit notes as UBL documents, and their validation."""
