"""Signals other apps listen to (the dashboards keep their rollups and caches with them).

`transactions_saving` and `transactions_saved` are sent inside the transaction that writes the
rows, so what receivers write commits or rolls back with them.
"""

from __future__ import annotations

from django.dispatch import Signal

# kwargs: organization_id, rows (the BankTransaction objects being inserted or updated: before the
# write on the ORM path, just after it on the COPY path; the `category` receivers set is saved).
transactions_saving = Signal()
# kwargs: organization_id, account_days (set of (account id, execution date) whose booked rows changed).
transactions_saved = Signal()
# kwargs: organization_id. Bank-derived figures changed (balances, bills, accounts counted).
bank_data_changed = Signal()
# kwargs: connection, run. Sent after a sync run is recorded, whatever its outcome.
sync_finished = Signal()
