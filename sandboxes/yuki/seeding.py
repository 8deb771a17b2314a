"""The sandbox's starting data: two domains (one per region), three administrations, keys, contacts.

* The main domain (in `region`) holds the main administration, the accounting of the Ponto
  sandbox's demo business (see `business.py`), and a small real-estate administration that only
  the domain-wide key sees (see `quiet_administrations.py`).
* The other region's domain holds one small administration, reached by that region's key only.

Everything comes from the seed and the clock: the same seed and day give the same GUIDs, amounts
and dates, and the Ponto bank data is the same as `PontoSandbox(seed)` shows that day.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from random import Random

from sandboxes.ponto import catalog
from sandboxes.ponto.seeding import Seeder as PontoSeeder
from sandboxes.ponto.seeding import Window, sequence
from sandboxes.yuki.access import AccessKey
from sandboxes.yuki.books import Books
from sandboxes.yuki.business import PROJECTS, Business
from sandboxes.yuki.charts import CHARTS, Chart
from sandboxes.yuki.contact_generator import CITIES, STREETS, ContactMaker, registration
from sandboxes.yuki.formats import at_local
from sandboxes.yuki.history import fill_months, seed_history
from sandboxes.yuki.ids import GuidSpace
from sandboxes.yuki.ledger import Ledger
from sandboxes.yuki.quiet_administrations import SmallBusiness
from sandboxes.yuki.records import Administration, Contact, Domain, Project

REGIONS = ("BE", "NL")
TENANTS = (("Kinépraktijk Vermeulen", 95_000), ("Advocatenkantoor Desmet BV", 145_000), ("Yoga Studio Lotus", 120_000))
RENTAL_PROJECTS = (Project("GENT", "Handelspand Gent"), Project("LEUVEN", "Kantoren Leuven"))


def access_key(region: str) -> str:
    """The domain-wide key of a region: `sandbox-yuki-key-be`, `sandbox-yuki-key-nl`."""
    return f"sandbox-yuki-key-{region.lower()}"


def administration_key(region: str) -> str:
    """The key that reaches only the main administration of the main domain."""
    return f"{access_key(region)}-admin"


def other_region(region: str) -> str:
    return "NL" if region == "BE" else "BE"


@dataclass(frozen=True, slots=True)
class Sizes:
    open_items: int = 40
    open_creditor_items: int | None = None
    gl_transactions_per_month: int | None = None
    contacts: int = 250
    bank_transactions: int = 1500
    bank_accounts: int = 3

    def check(self) -> None:
        if min(self.open_items, self.contacts, self.bank_transactions) < 0 or not 1 <= self.bank_accounts <= 4:
            raise ValueError("sizes are not negative and a sandbox has one to four bank accounts")


@dataclass(frozen=True, slots=True)
class BankAccount:
    administration_id: str
    code: str
    iban: str
    ponto_account_id: str


@dataclass
class World:
    domains: list[Domain]
    administrations: dict[str, Administration]
    keys: dict[str, AccessKey]
    main: Administration
    window: Window
    banks: list[BankAccount]


class WorldBuilder:
    def __init__(self, seed: int, now: datetime, sizes: Sizes, region: str) -> None:
        if region not in REGIONS:
            raise ValueError(f"region must be one of {', '.join(REGIONS)}")
        sizes.check()
        self.now, self.sizes, self.region = now, sizes, region
        self.rng = Random(f"yuki:{seed}")  # noqa: S311 - made-up data, not secrets
        self.ponto = PontoSeeder(Random(seed), sequence(), now)  # noqa: S311 - the Ponto demo's own draws
        self.window = self.ponto.window
        self.domain_ids = GuidSpace(self.rng)
        self.administration_ids = GuidSpace(self.rng)

    def child_rng(self) -> Random:
        return Random(self.rng.getrandbits(64))  # noqa: S311 - made-up data, not secrets

    def build(self) -> World:
        accounts = self.ponto.accounts(self.sizes.bank_accounts, self.sizes.bank_transactions)
        other = other_region(self.region)
        main_domain = self._domain(1, "sandbox-studio", self.region)
        other_domain = self._domain(2, f"sandbox-studio-{other.lower()}", other)
        contacts = self._main_contacts(main_domain)
        main = self._administration(1, catalog.ORGANIZATION_NAME, main_domain, CHARTS[self.region], PROJECTS)
        Business(Books(main.ledger), accounts, self.window, contacts, self.child_rng(), self.now).build(
            self.sizes.open_items,
            self.sizes.open_items // 2 if self.sizes.open_creditor_items is None else self.sizes.open_creditor_items,
        )
        self._finish(main)
        realty = self._realty(main_domain, contacts)
        abroad = self._abroad(other_domain)
        keys = {
            access_key(self.region): AccessKey(access_key(self.region), self.region, main_domain.id),
            administration_key(self.region): AccessKey(
                administration_key(self.region), self.region, main_domain.id, frozenset({main.id})
            ),
            access_key(other): AccessKey(access_key(other), other, other_domain.id),
        }
        banks = [
            BankAccount(main.id, main.ledger.chart.banks[index], account.iban, account.id)
            for index, account in enumerate(accounts)
        ]
        administrations = {admin.id: admin for admin in (main, realty, abroad)}
        return World([main_domain, other_domain], administrations, keys, main, self.window, banks)

    # --- domains and administrations ------------------------------------------------------------------
    def _domain(self, number: int, name: str, region: str) -> Domain:
        return Domain(self.domain_ids.guid(number), name, f"{name}.yukiworks.{region.lower()}", region)

    def _administration(
        self, number: int, name: str, domain: Domain, chart: Chart, projects: tuple[Project, ...]
    ) -> Administration:
        rng = self.rng
        postcode, city = rng.choice(CITIES[chart.country])
        registered = registration(chart.country, rng)
        admin = Administration(
            id=self.administration_ids.guid(number),
            name=name,
            domain_id=domain.id,
            country=chart.country,
            address_line=f"{rng.choice(STREETS[chart.country])} {rng.randrange(1, 120)}",
            postcode=postcode,
            city=city,
            coc_number=registered.coc_number,
            vat_number=registered.vat_number,
            start_date=self.window.start,
            ledger=Ledger(chart, self.child_rng(), projects=projects),
        )
        domain.administrations.append(admin)
        return admin

    def _finish(self, admin: Administration) -> None:
        rng = self.child_rng()
        seed_history(admin.ledger, rng, self.window, self.now)
        if self.sizes.gl_transactions_per_month:
            fill_months(admin.ledger, rng, self.window, self.sizes.gl_transactions_per_month, PROJECTS, self.now)

    # --- contacts -------------------------------------------------------------------------------------
    def _maker(self, domain: Domain) -> ContactMaker:
        return ContactMaker(
            self.child_rng(), GuidSpace(self.rng), self.now, at_local(self.window.start), domain.contacts
        )

    def _main_contacts(self, domain: Domain) -> dict[str, Contact]:
        """The Ponto demo's customers (codes 1001…) and suppliers (2001…), tenants, then generated ones."""
        maker = self._maker(domain)
        factory = self.ponto.factory
        customer_codes, supplier_codes, other_codes = (itertools.count(start) for start in (1001, 2001, 3001))
        for party in factory.customers:
            maker.make(party.name, code=str(next(customer_codes)), customer=True, supplier=False, iban=party.iban)
        creditors = [(name, "") for name, *_ in catalog.SUBSCRIPTIONS]
        for name, iban in [*factory.suppliers, *creditors, (factory.landlord.name, factory.landlord.iban)]:
            maker.make(name, code=str(next(supplier_codes)), customer=False, supplier=True, iban=iban)
        for name, _ in TENANTS:
            maker.make(name, code=str(next(customer_codes)), customer=True, supplier=False)
        maker.fill(self.sizes.contacts, self.region, lambda: str(next(other_codes)))
        return {contact.name: contact for contact in domain.contacts}

    # --- the small administrations --------------------------------------------------------------------
    def _realty(self, domain: Domain, contacts: dict[str, Contact]) -> Administration:
        name = f"{catalog.ORGANIZATION_NAME.removesuffix(' BV')} Vastgoed BV"
        admin = self._administration(2, name, domain, CHARTS[self.region], RENTAL_PROJECTS)
        tenants = [contacts[tenant] for tenant, _ in TENANTS]
        cleaner = contacts.get("Schoonmaak Service Vlaanderen BV") or domain.contacts[-1]
        SmallBusiness(Books(admin.ledger), self.child_rng(), self.window, self.now).build(
            customers=tenants,
            supplier=cleaner,
            revenue_role="rental_income",
            vat_percentage=0,
            fixed=tuple(rent for _, rent in TENANTS),
            series="HUUR-{year}-{number:03d}",
        )
        return admin

    def _abroad(self, domain: Domain) -> Administration:
        region = domain.region
        name = f"{catalog.ORGANIZATION_NAME.removesuffix(' BV')} {'Nederland B.V.' if region == 'NL' else 'België BV'}"
        admin = self._administration(3, name, domain, CHARTS[region], ())
        maker = self._maker(domain)
        codes = itertools.count(1)
        maker.fill(30, region, lambda: f"{next(codes):04d}")
        customers = [c for c in domain.contacts if c.is_customer]
        supplier = next(c for c in domain.contacts if c.is_supplier)
        SmallBusiness(Books(admin.ledger), self.child_rng(), self.window, self.now).build(
            customers=customers,
            supplier=supplier,
            revenue_role="revenue",
            vat_percentage=21,
            fixed=None,
            series="{year}-{number:04d}",
        )
        return admin
