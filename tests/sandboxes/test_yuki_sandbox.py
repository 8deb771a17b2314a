"""The Yuki simulator against its contract (yuki-api.md): envelopes, shapes and quirks, sales, quota, faults.

Every test talks HTTP to a real socket (`serve()` on port 0), as the connector will; no database.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError

import httpx
import pytest
from defusedxml import ElementTree

from invoices.references import format_reference, make_reference
from sandboxes.ponto import PontoSandbox
from sandboxes.yuki import BE_ACCESS_KEY, NL_ACCESS_KEY, SOAP11, SOAP12, YUKI, YukiSandbox, serve
from sandboxes.yuki.formats import local_day

NOW = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)  # 10:30 in Amsterdam
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
AMOUNT = re.compile(r"^-?\d+\.\d\d$")
US_TIMESTAMP = re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d:\d\d [AP]M$")
DOTNET_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$")
RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse"
ITEM_FIELDS = [
    "Date",
    "Description",
    "Contact",
    "ContactID",
    "OpenAmount",
    "OriginalAmount",
    "Type",
    "Reference",
    "DueDate",
    "DocumentID",
    "PaymentMethod",
    "ContactCode",
    "CoCNumber",
    "VATNumber",
    "AddressLine_1",
    "AddressLine_2",
    "Postcode",
    "City",
    "MailAddressLine_1",
    "MailAddressLine_2",
    "MailPostcode",
    "MailCity",
    "Country",
    "RecipientEmail",
    "PhoneHome",
    "PhoneWork",
    "EmailHome",
    "EmailWork",
]
TRANSACTION_INFO_FIELDS = [
    "id",
    "hID",
    "transactionDate",
    "description",
    "transactionAmount",
    "transactionAmountForeignCurrency",
    "currencyRate",
    "currency",
    "taxCodeDescription",
    "fullName",
    "CoCNumber",
    "VATNumber",
    "contactHID",
    "contactCode",
    "contactCountry",
    "contactZipcode",
    "contactID",
    "project",
    "projectCode",
    "glAccountCode",
    "documentID",
    "documentReference",
    "documentType",
    "documentFolder",
    "documentFolderTab",
    "periodId",
    "company",
    "mutationUser",
]
UPDATED_FIELDS = [
    "id",
    "transactionDate",
    "description",
    "transactionAmount",
    "transactionAmountForeignCurrency",
    "currencyRate",
    "currency",
    "contactID",
    "fullName",
    "glAccountCode",
    "documentID",
    "created",
    "updated",
    "deleted",
]


# --- a tiny SOAP client ----------------------------------------------------------------------------------
def tag(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def names(element: Element) -> list[str]:
    return [tag(child) for child in element]


def params_xml(params: dict[str, str], prefix: str = "") -> str:
    return "".join(f"<{prefix}{name}>{value}</{prefix}{name}>" for name, value in params.items())


class Soap:
    def __init__(self, http: httpx.Client, region: str = "be") -> None:
        self.http, self.region = http, region

    def post(
        self,
        service: str,
        operation: str,
        params: dict[str, str] | str,
        *,
        version: str = "1.1",
        region: str | None = None,
        action: str | None = None,
    ) -> httpx.Response:
        body = params if isinstance(params, str) else params_xml(params)
        if version == "1.1":
            call = f'<{operation} xmlns="{YUKI}">{body}</{operation}>'
            envelope = f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{call}</soap:Body></soap:Envelope>'
            headers = {
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": action if action is not None else f'"{YUKI}{operation}"',
            }
        else:
            call = f'<{operation} xmlns="{YUKI}">{body}</{operation}>'
            envelope = f'<s12:Envelope xmlns:s12="{SOAP12}"><s12:Body>{call}</s12:Body></s12:Envelope>'
            headers = {"Content-Type": "application/soap+xml; charset=utf-8"}
        return self.http.post(f"/{region or self.region}/ws/{service}.asmx", content=envelope, headers=headers)

    def result(self, service: str, operation: str, params: dict[str, str] | str, **options: str) -> Element:
        response = self.post(service, operation, params, **options)
        assert response.status_code == 200, response.text
        found = ElementTree.fromstring(response.content).find(f".//{{{YUKI}}}{operation}Result")
        assert found is not None, response.text
        return found

    def payload(self, service: str, operation: str, params: dict[str, str] | str, **options: str) -> Element:
        """The any-XML root inside the result (`<OutstandingDebtorItems xmlns="">`)."""
        result = self.result(service, operation, params, **options)
        assert len(result) == 1 and result[0].tag == tag(result[0]), "the payload root resets the namespace"
        return result[0]

    def fault(self, service: str, operation: str, params: dict[str, str] | str, **options: str) -> tuple[str, str]:
        """(faultcode, faultstring) of a SOAP 1.1 fault."""
        response = self.post(service, operation, params, **options)
        assert response.status_code == 500, response.text
        assert response.headers["content-type"] == "text/xml; charset=utf-8"
        root = ElementTree.fromstring(response.content)
        return root.findtext(".//faultcode") or "", root.findtext(".//faultstring") or ""

    def login(self, key: str = BE_ACCESS_KEY, region: str | None = None) -> str:
        return self.result("Accounting", "Authenticate", {"accessKey": key}, region=region or self.region).text or ""


# --- fixtures ------------------------------------------------------------------------------------------------
@pytest.fixture
def sandbox() -> YukiSandbox:
    return YukiSandbox(seed=2026, now=lambda: NOW)


@pytest.fixture
def http(sandbox: YukiSandbox) -> Iterator[httpx.Client]:
    server, base_url = serve(sandbox)
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client
    server.shutdown()


@pytest.fixture
def soap(http: httpx.Client) -> Soap:
    return Soap(http)


@pytest.fixture
def session(soap: Soap) -> str:
    return soap.login()


@pytest.fixture
def admin(sandbox: YukiSandbox) -> str:
    return sandbox.administration.id


def listing(session: str, admin: str, sort: str = "DateAsc", bank: str = "false") -> dict[str, str]:
    return {"sessionID": session, "administrationID": admin, "includeBankTransactions": bank, "sortOrder": sort}


def truth(sandbox: YukiSandbox, account: str | None = None, *, transactions: bool = False) -> dict[str, Any]:
    """The main administration's ground truth (GL lines only with `transactions`)."""
    found = sandbox.ground_truth(sandbox.administration.id, account, transactions=transactions)["administrations"]
    return cast("list[dict[str, Any]]", found)[0]


def type_id(item: Element) -> str | None:
    kind = item.find("Type")
    return None if kind is None else kind.get("ID")


# --- authentication, administrations, regions ----------------------------------------------------------
def test_authenticate_returns_a_session_and_administrations_lists_the_domain(soap: Soap, sandbox: YukiSandbox) -> None:
    session = soap.login()
    assert GUID.match(session)
    response = soap.post("Accounting", "Administrations", {"sessionID": session})
    assert '<Administrations xmlns="">' in response.text
    root = ElementTree.fromstring(response.content).find(f".//{{{YUKI}}}AdministrationsResult/Administrations")
    assert root is not None
    admins = root.findall("Administration")
    assert [a.findtext("Name") for a in admins] == ["Sandbox Studio BV", "Sandbox Studio Vastgoed BV"]
    first = admins[0]
    assert first.get("ID") == sandbox.administration.id
    assert names(first) == [
        "Name",
        "AddressLine",
        "Postcode",
        "City",
        "Country",
        "CoCNumber",
        "VATNumber",
        "StartDate",
        "DomainID",
        "Active",
    ]
    assert first.findtext("Active") == "true" and first.findtext("Country") == "BE"
    assert first.findtext("DomainID") != first.get("ID"), "the domain GUID is not the administration GUID"
    assert re.match(r"^\d{4}-\d\d-\d\d$", first.findtext("StartDate") or "")


def test_every_service_answers_authenticate(soap: Soap) -> None:
    for service in ("Accounting", "AccountingInfo", "ChangeDigest", "Contact", "Sales"):
        assert GUID.match(soap.result(service, "Authenticate", {"accessKey": BE_ACCESS_KEY}).text or "")


def test_a_bad_key_is_an_http_500_soap_fault(soap: Soap) -> None:
    code, message = soap.fault("Accounting", "Authenticate", {"accessKey": "not-a-key"})
    assert code == "soap:Server"
    assert message == "Server was unable to process request. ---> Invalid access key"


def test_a_key_only_works_on_its_own_regions_host(soap: Soap, sandbox: YukiSandbox) -> None:
    assert (
        "Invalid access key" in soap.fault("Accounting", "Authenticate", {"accessKey": BE_ACCESS_KEY}, region="nl")[1]
    )
    assert (
        "Invalid access key" in soap.fault("Accounting", "Authenticate", {"accessKey": NL_ACCESS_KEY}, region="be")[1]
    )
    dutch = soap.login(NL_ACCESS_KEY, region="nl")
    admins = soap.payload("Accounting", "Administrations", {"sessionID": dutch}, region="nl")
    assert [a.findtext("Country") for a in admins] == ["NL"]
    assert admins[0].get("ID") not in {a.id for a in sandbox.domains[0].administrations}
    # A session lives on the host that opened it, and a key never reaches another domain.
    assert "Invalid SessionID" in soap.fault("Accounting", "Administrations", {"sessionID": dutch}, region="be")[1]
    belgian = soap.login()
    dutch_admin = admins[0].get("ID") or ""
    _, message = soap.fault("Accounting", "OutstandingDebtorItems", listing(belgian, dutch_admin))
    assert "no rights" in message


def test_an_administration_key_sees_only_its_administration(soap: Soap, sandbox: YukiSandbox) -> None:
    session = soap.login(sandbox.administration_key)
    admins = soap.payload("Accounting", "Administrations", {"sessionID": session})
    assert [a.get("ID") for a in admins] == [sandbox.administration.id]  # a list of one
    realty = sandbox.domains[0].administrations[1].id
    params = {"sessionID": session, "administrationID": realty, "transactionDate": "2026-01-31"}
    assert "no rights" in soap.fault("Accounting", "GLAccountBalance", params)[1]


# --- SOAP 1.1 and 1.2 ---------------------------------------------------------------------------------------
def test_soap_12_dispatches_on_the_body_and_answers_in_soap_12(soap: Soap) -> None:
    response = soap.post("Accounting", "Authenticate", {"accessKey": BE_ACCESS_KEY}, version="1.2")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/soap+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{SOAP12}}}Envelope"
    session = root.findtext(f".//{{{YUKI}}}AuthenticateResult") or ""
    assert GUID.match(session)
    over_12 = soap.payload("Accounting", "Administrations", {"sessionID": session}, version="1.2")
    over_11 = soap.payload("Accounting", "Administrations", {"sessionID": session})
    assert [a.get("ID") for a in over_12] == [a.get("ID") for a in over_11] and len(over_12) == 2
    fault = soap.post("Accounting", "Authenticate", {"accessKey": "nope"}, version="1.2")
    assert fault.status_code == 500
    fault_root = ElementTree.fromstring(fault.content)
    assert fault_root.findtext(f".//{{{SOAP12}}}Code/{{{SOAP12}}}Value") == "soap:Receiver"
    assert "Invalid access key" in (fault_root.findtext(f".//{{{SOAP12}}}Reason/{{{SOAP12}}}Text") or "")


def test_soap_11_takes_the_action_quoted_or_not_and_rejects_a_wrong_one(soap: Soap) -> None:
    unquoted = soap.post("Accounting", "Authenticate", {"accessKey": BE_ACCESS_KEY}, action=f"{YUKI}Authenticate")
    assert unquoted.status_code == 200
    code, message = soap.fault("Accounting", "Authenticate", {"accessKey": BE_ACCESS_KEY}, action=f'"{YUKI}Domains"')
    assert code == "soap:Client" and "did not recognize the value of HTTP Header SOAPAction" in message
    code, message = soap.fault("Accounting", "GetInvoices", {"sessionID": "x"})
    assert code == "soap:Client" and message.endswith(f"{YUKI}GetInvoices.")


def test_prefixes_do_not_matter_but_the_namespace_does(http: httpx.Client) -> None:
    def post(operation: str, parameter: str) -> httpx.Response:
        envelope = (
            f'<e:Envelope xmlns:e="{SOAP11}" xmlns:they="{YUKI}"><e:Body>'
            f"<they:{operation}>{parameter}</they:{operation}></e:Body></e:Envelope>"
        )
        headers = {"Content-Type": "text/xml", "SOAPAction": f'"{YUKI}{operation}"'}
        return http.post("/be/ws/Accounting.asmx", content=envelope, headers=headers)

    login = post("Authenticate", f"<they:accessKey>{BE_ACCESS_KEY}</they:accessKey>")
    assert login.status_code == 200
    session = ElementTree.fromstring(login.content).findtext(f".//{{{YUKI}}}AuthenticateResult")
    assert post("Administrations", f"<they:sessionID>{session}</they:sessionID>").status_code == 200
    unqualified = post("Administrations", f'<sessionID xmlns="">{session}</sessionID>')
    assert unqualified.status_code == 500 and "Parameter name: sessionID" in unqualified.text


def test_xml_with_a_dtd_is_refused(http: httpx.Client) -> None:
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><e:Envelope xmlns:e="{SOAP11}"><e:Body/></e:Envelope>'
    )
    response = http.post(
        "/be/ws/Accounting.asmx", content=bomb, headers={"Content-Type": "text/xml", "SOAPAction": "x"}
    )
    assert response.status_code == 500 and "soap:Client" in response.text


def test_everything_is_also_served_under_a_yuki_prefix(http: httpx.Client) -> None:
    envelope = (
        f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><Authenticate xmlns="{YUKI}">'
        f"<accessKey>{NL_ACCESS_KEY}</accessKey></Authenticate></s:Body></s:Envelope>"
    )
    headers = {"Content-Type": "text/xml", "SOAPAction": f'"{YUKI}Authenticate"'}
    assert http.post("/yuki/nl/ws/Accounting.asmx", content=envelope, headers=headers).status_code == 200
    assert http.post("/yuki/be/ws/Accounting.asmx", content=envelope, headers=headers).status_code == 500
    assert http.get("/yuki/_sandbox/quota").json()["domains"][1]["used"] == 1


def test_unknown_service_is_404_and_get_lists_operations(http: httpx.Client) -> None:
    assert http.post("/be/ws/Invoices.asmx", content="<x/>", headers={"Content-Type": "text/xml"}).status_code == 404
    page = http.get("/be/ws/Accounting.asmx")
    assert page.status_code == 200 and "OutstandingDebtorItems" in page.text


# --- open items ----------------------------------------------------------------------------------------------
def test_outstanding_debtor_items_have_the_documented_shape(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    response = soap.post("Accounting", "OutstandingDebtorItems", listing(session, admin))
    assert '<OutstandingDebtorItems xmlns="">' in response.text and "<AddressLine_2 />" in response.text
    items = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin))
    assert tag(items) == "OutstandingDebtorItems"
    expected = [i for i in truth(sandbox)["openDebtorItems"] if i["typeId"] == 6]
    assert len(items) == len(expected) == 40
    first = items[0]
    assert names(first) == ITEM_FIELDS
    assert GUID.match(first.get("ID") or "")
    kind = first.find("Type")
    assert kind is not None and kind.get("ID") == "6" and kind.text == "Verkoopfactuur"
    assert all(AMOUNT.match(item.findtext("OpenAmount") or "") for item in items)
    assert all(re.match(r"^INV-\d{4}-\d{4}$", item.findtext("Reference") or "") for item in items)
    dates = [item.findtext("Date") or "" for item in items]
    assert dates == sorted(dates)
    assert {item.get("ID") for item in items} == {i["id"] for i in expected}


def test_some_open_invoices_are_partly_paid_and_others_are_overdue(soap: Soap, session: str, admin: str) -> None:
    items = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin, "AmountDesc"))
    partial = [i for i in items if i.findtext("OpenAmount") != i.findtext("OriginalAmount")]
    assert len(partial) == 4
    assert all(0 < float(i.findtext("OpenAmount") or 0) < float(i.findtext("OriginalAmount") or 0) for i in partial)
    amounts = [float(i.findtext("OpenAmount") or 0) for i in items]
    assert amounts == sorted(amounts, reverse=True)
    assert any((i.findtext("DueDate") or "9999") < "2026-03-16" for i in items)


def test_include_bank_transactions_adds_the_unmatched_receipts(soap: Soap, session: str, admin: str) -> None:
    with_bank = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin, bank="true"))
    without = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin))
    extra = [i for i in with_bank if type_id(i) != "6"]
    assert len(with_bank) == len(without) + 2 == len(extra) + len(without)
    assert all((i.findtext("OpenAmount") or "").startswith("-") and i.findtext("Reference") == "" for i in extra)


def test_sort_order_is_required_and_checked(soap: Soap, session: str, admin: str) -> None:
    code, message = soap.fault("Accounting", "OutstandingDebtorItems", listing(session, admin, "Newest"))
    assert code == "soap:Client" and "'Newest' is not a valid value" in message
    params = listing(session, admin)
    del params["sortOrder"]
    assert "Parameter name: sortOrder" in soap.fault("Accounting", "OutstandingCreditorItems", params)[1]


def test_outstanding_creditor_items_are_purchase_invoices(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    items = soap.payload("Accounting", "OutstandingCreditorItems", listing(session, admin, "ContactAsc"))
    assert tag(items) == "OutstandingCreditorItems" and len(items) == 20
    assert {type_id(i) for i in items} == {"2"}
    contacts = [(i.findtext("Contact") or "").lower() for i in items]
    assert contacts == sorted(contacts)
    assert all(float(i.findtext("OpenAmount") or 0) > 0 for i in items)


def test_check_outstanding_item_admin_finds_an_invoice_by_reference(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    wanted = truth(sandbox)["openDebtorItems"][0]
    params = {"sessionID": session, "administrationID": admin, "Reference": wanted["reference"]}
    items = soap.payload("Accounting", "CheckOutstandingItemAdmin", params)
    assert tag(items) == "OutstandingItems" and len(items) == 1
    assert items[0].get("ID") == wanted["id"] and items[0].findtext("OpenAmount") == wanted["openAmount"]
    assert "DocumentID" not in names(items[0])
    params["Reference"] = "INV-1999-0001"
    assert len(soap.payload("Accounting", "CheckOutstandingItemAdmin", params)) == 0


# --- the general ledger --------------------------------------------------------------------------------------
def test_gl_balances_use_attributes_credit_negative_and_sum_to_zero(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    end = sandbox.window.end.isoformat()
    balances = soap.payload(
        "Accounting", "GLAccountBalance", {"sessionID": session, "administrationID": admin, "transactionDate": end}
    )
    accounts = {row.get("Code"): row for row in balances}
    assert names(accounts["550000"]) == ["Description", "Amount"]
    assert accounts["550000"].get("BalanceType") == "B" and accounts["700000"].get("BalanceType") == "W"
    assert float(accounts["700000"].findtext("Amount") or 0) < 0, "revenue is a credit"
    assert sum(round(float(row.findtext("Amount") or 0) * 100) for row in balances) == 0
    ponto = PontoSandbox(seed=2026, now=lambda: NOW)
    assert accounts["550000"].findtext("Amount") == f"{ponto.accounts[0].current_balance:.2f}"
    assert accounts["551000"].findtext("Amount") == f"{ponto.accounts[1].current_balance:.2f}"


def test_bank_gl_lines_mirror_the_ponto_demo_account(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    params = {
        "sessionID": session,
        "administrationID": admin,
        "GLAccountCode": "550000",
        "StartDate": sandbox.window.start.isoformat(),
        "EndDate": sandbox.window.end.isoformat(),
    }
    lines = soap.payload("Accounting", "GLAccountTransactions", params)
    assert tag(lines) == "GLAccountTransactions"
    assert names(lines[0]) == ["Date", "Description", "Amount", "Contact", "ContactID", "Project", "GLAccountCode"]
    ponto = PontoSandbox(seed=2026, now=lambda: NOW).accounts[0].transactions
    yuki = Counter((line.findtext("Date"), line.findtext("Amount")) for line in lines)
    assert yuki == Counter((local_day(t.execution_date).isoformat(), f"{t.amount:.2f}") for t in ponto)
    paid = format_reference(make_reference(2025 * 1_000_000 + 1))
    payment = next(line for line in lines if paid in (line.findtext("Description") or ""))
    assert payment.findtext("Amount") == "177.15"  # the first invoice of every demo year
    check = soap.payload(
        "Accounting",
        "CheckOutstandingItemAdmin",
        {"sessionID": session, "administrationID": admin, "Reference": "INV-2025-0001"},
    )
    assert len(check) == 0, "a paid invoice is not outstanding"


def test_gl_account_transactions_of_all_accounts_and_projects(soap: Soap, session: str, admin: str) -> None:
    params = {
        "sessionID": session,
        "administrationID": admin,
        "GLAccountCode": "",
        "StartDate": "2026-02-01",
        "EndDate": "2026-02-28",
    }
    lines = soap.payload("Accounting", "GLAccountTransactions", params)
    codes = {line.findtext("GLAccountCode") for line in lines}
    assert {"550000", "400000", "700000", "451000"} <= codes
    projects = [line.find("Project") for line in lines]
    coded = [project for project in projects if project is not None and project.get("Code")]
    assert coded and all(project.text for project in coded), '<Project Code="WEB">Websites</Project>'
    assert any(project is not None and project.attrib == {} and not project.text for project in projects), "<Project />"
    assert sum(round(float(line.findtext("Amount") or 0) * 100) for line in lines) == 0


def test_gl_account_scheme_is_typed_with_yukis_spelling(soap: Soap, session: str, admin: str) -> None:
    result = soap.result("AccountingInfo", "GetGLAccountScheme", {"sessionID": session, "administrationID": admin})
    accounts = result.findall(f"{{{YUKI}}}GlAccount")
    assert accounts and all(names(a) == ["code", "type", "subtype", "isEnabled", "descripton"] for a in accounts)
    by_code = {a.findtext(f"{{{YUKI}}}code"): a for a in accounts}
    assert by_code["550000"].findtext(f"{{{YUKI}}}descripton") == "Bank"
    assert by_code["570000"].findtext(f"{{{YUKI}}}descripton") == "Kas"
    assert by_code["550000"].findtext(f"{{{YUKI}}}isEnabled") == "true"


def test_transaction_details_are_typed(soap: Soap, session: str, admin: str) -> None:
    params = {
        "sessionID": session,
        "administrationID": admin,
        "GLAccountCode": "700000",
        "StartDate": "2026-01-01",
        "EndDate": "2026-01-31",
        "financialMode": "1",
    }
    result = soap.result("AccountingInfo", "GetTransactionDetails", params)
    infos = result.findall(f"{{{YUKI}}}TransactionInfo")
    assert infos and names(infos[0]) == TRANSACTION_INFO_FIELDS
    first = infos[0]
    assert re.match(r"^2026-01-\d\dT00:00:00$", first.findtext(f"{{{YUKI}}}transactionDate") or "")
    assert first.findtext(f"{{{YUKI}}}currencyRate") == "1.000000"
    assert first.findtext(f"{{{YUKI}}}periodId") == "202601"
    del params["financialMode"]
    assert "Parameter name: financialMode" in soap.fault("AccountingInfo", "GetTransactionDetails", params)[1]


# --- contacts -------------------------------------------------------------------------------------------------
def contact_search(session: str, domain: str, page: int, sort: str = "HID") -> dict[str, str]:
    return {
        "sessionID": session,
        "domainID": domain,
        "searchOption": "All",
        "searchValue": "",
        "sortOrder": sort,
        "modifiedAfter": "0001-01-01",
        "active": "Both",
        "pageNumber": str(page),
    }


def test_contacts_come_100_a_page_with_us_dates(soap: Soap, session: str, sandbox: YukiSandbox) -> None:
    domain = sandbox.domains[0].id
    pages = [soap.payload("Contact", "SearchContacts", contact_search(session, domain, page)) for page in (1, 2, 3, 4)]
    assert [len(page) for page in pages] == [100, 100, 50, 0]
    ids = [contact.get("ID") for page in pages for contact in page]
    assert len(set(ids)) == 250
    first = pages[0][0]
    assert tag(pages[0]) == "Contacts" and "EMailWork" in names(first) and "EmailWork" not in names(first)
    assert US_TIMESTAMP.match(first.findtext("Created") or "")
    assert first.findtext("Code") == "1001" and first.findtext("Name") == "Brouwerij De Kroon BV"
    params = contact_search(session, domain, 1) | {"searchOption": "Code", "searchValue": "1001"}
    assert [c.findtext("Name") for c in soap.payload("Contact", "SearchContacts", params)] == ["Brouwerij De Kroon BV"]
    other = sandbox.domains[1].id
    assert "no rights" in soap.fault("Contact", "SearchContacts", contact_search(session, other, 1))[1]


def test_suppliers_and_customers_carry_dotnet_booleans(soap: Soap, session: str, sandbox: YukiSandbox) -> None:
    params = contact_search(session, sandbox.domains[0].id, 1) | {"contactType": "Supplier"}
    contacts = soap.payload("Contact", "GetSuppliersAndCustomers", params)
    assert len(contacts) > 0
    assert {c.findtext("IsSupplier") for c in contacts} == {"True"}
    assert {c.findtext("IsCustomer") for c in contacts} <= {"True", "False"}


# --- ChangeDigest -----------------------------------------------------------------------------------------------
def digest(soap: Soap, session: str, admin: str, start: str, count: int, first: int) -> list[Element]:
    params = {
        "sessionID": session,
        "administrationID": admin,
        "startDate": start,
        "endDate": "2026-03-16T23:59:59",
        "numberOfRecords": str(count),
        "startRecord": str(first),
    }
    return soap.result("ChangeDigest", "GetUpdatedAndDeletedTransactions", params).findall(
        f"{{{YUKI}}}UpdatedTransaction"
    )


def test_change_digest_pages_by_record_window(soap: Soap, session: str, admin: str) -> None:
    everything = digest(soap, session, admin, "2026-03-01", 10_000, 0)
    assert len(everything) > 120
    assert names(everything[0]) == UPDATED_FIELDS
    pages = [digest(soap, session, admin, "2026-03-01", 50, start) for start in range(0, len(everything) + 50, 50)]
    assert [len(page) for page in pages][-2:] == [len(everything) % 50 or 50, 0]
    ids = lambda rows: [row.findtext(f"{{{YUKI}}}id") for row in rows]  # noqa: E731
    assert [i for page in pages for i in ids(page)] == ids(everything)
    created = everything[0].findtext(f"{{{YUKI}}}created") or ""
    assert DOTNET_TIMESTAMP.match(created) and created >= "2026-03-01"


def test_change_digest_shows_deleted_and_updated_transactions(
    soap: Soap, session: str, admin: str, sandbox: YukiSandbox, http: httpx.Client
) -> None:
    recent = digest(soap, session, admin, "2026-02-01", 10_000, 0)
    seeded = [row for row in recent if row.findtext(f"{{{YUKI}}}deleted") == "true"]
    counts = truth(sandbox)["counts"]
    assert len(seeded) == counts["deletedGlTransactions"] >= 4, "the seed removed two duplicate bank imports"
    corrected = [row for row in recent if row.findtext(f"{{{YUKI}}}updated") != row.findtext(f"{{{YUKI}}}created")]
    assert len(corrected) > len(seeded), "and completed a few descriptions days later"
    sandbox.advance(3600)
    bank = truth(sandbox, "550000", transactions=True)["glAccounts"][0]["transactions"][-1]
    deleted = http.delete(f"/_sandbox/transactions/{bank['id']}").json()["data"]
    assert len(deleted) == 2 and all(line["deleted"] for line in deleted)
    rows = {row.findtext(f"{{{YUKI}}}id"): row for row in digest(soap, session, admin, "2026-03-16T11:00:00", 100, 0)}
    assert set(rows) == {line["id"] for line in deleted}
    assert rows[bank["id"]].findtext(f"{{{YUKI}}}deleted") == "true"
    assert (rows[bank["id"]].findtext(f"{{{YUKI}}}updated") or "").startswith("2026-03-16T11:30")
    params = {
        "sessionID": session,
        "administrationID": admin,
        "GLAccountCode": "550000",
        "StartDate": bank["date"],
        "EndDate": bank["date"],
    }
    assert bank["id"] not in {line.get("ID") for line in soap.payload("Accounting", "GLAccountTransactions", params)}
    sandbox.advance(60)
    other = truth(sandbox, "550000", transactions=True)["glAccounts"][0]["transactions"][-1]
    changed = http.patch(f"/_sandbox/transactions/{other['id']}", json={"amount": "-12.34"}).json()["data"]
    assert {line["amount"] for line in changed} == {"-12.34", "12.34"}
    rows = {row.findtext(f"{{{YUKI}}}id"): row for row in digest(soap, session, admin, "2026-03-16T11:31:00", 100, 0)}
    assert rows[other["id"]].findtext(f"{{{YUKI}}}transactionAmount") == "-12.34"
    assert rows[other["id"]].findtext(f"{{{YUKI}}}deleted") == "false"


# --- ProcessSalesInvoices ----------------------------------------------------------------------------------------
def invoice_xml(
    *,
    reference: str = "",
    vat: str = "6.00",
    vat_type: str = "2",
    price: str = "14.88",
    swap: bool = False,
    process: str = "true",
) -> str:
    head = f"<Reference>{reference}</Reference>" if reference else ""
    process_xml = f"<Process>{process}</Process><EmailToCustomer>false</EmailToCustomer>"
    date_xml = "<Date>2026-03-16</Date><DueDate>2026-04-15</DueDate>"
    middle = date_xml + process_xml if swap else process_xml + date_xml
    return (
        f"<SalesInvoice>{head}<Subject>Testfactuur - 1</Subject><PaymentMethod>ElectronicTransfer</PaymentMethod>"
        f"{middle}<Contact><ContactCode>1001</ContactCode><FullName>Brouwerij De Kroon BV</FullName></Contact>"
        "<InvoiceLines><InvoiceLine><Description>Regel 1</Description><ProductQuantity>2</ProductQuantity>"
        f'<Product><Description>Product 1</Description><Category xsi:nil="true"/><SalesPrice>{price}</SalesPrice>'
        f"<VATPercentage>{vat}</VATPercentage><VATIncluded>true</VATIncluded><VATType>{vat_type}</VATType></Product>"
        "</InvoiceLine></InvoiceLines></SalesInvoice>"
    )


def sales_doc(*invoices: str) -> str:
    return (
        '<SalesInvoices xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoices" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{"".join(invoices)}</SalesInvoices>'
    )


def sales_body(session: str, admin: str, document: str) -> str:
    return f"<sessionId>{session}</sessionId><administrationId>{admin}</administrationId><xmlDoc>{document}</xmlDoc>"


def process(soap: Soap, session: str, admin: str, document: str) -> Element:
    """The SalesInvoicesImportResponse, whether it came as child XML or as escaped text."""
    result = soap.result("Sales", "ProcessSalesInvoices", sales_body(session, admin, document))
    response = result[0] if len(result) else ElementTree.fromstring(result.text or "")
    assert response.tag == f"{{{RESPONSE_NS}}}SalesInvoicesImportResponse"
    return response


def test_process_sales_invoices_books_an_open_item(soap: Soap, session: str, admin: str, http: httpx.Client) -> None:
    response = process(soap, session, admin, sales_doc(invoice_xml()))
    assert names(response) == [
        "TimeStamp",
        "AdministrationId",
        "TotalSucceeded",
        "TotalFailed",
        "TotalSkipped",
        "Invoice",
    ]
    assert response.findtext("TimeStamp") == "2026-03-16" and response.findtext("AdministrationId") == admin
    assert response.findtext("TotalSucceeded") == "1" and response.findtext("TotalFailed") == "0"
    invoice = response.find("Invoice")
    assert invoice is not None and names(invoice) == [
        "Succeeded",
        "Processed",
        "EmailSent",
        "Reference",
        "Subject",
        "Contact",
        "Message",
    ]
    assert invoice.findtext("Succeeded") == "true" and invoice.findtext("Processed") == "true"
    assert invoice.findtext("Reference") == "VF-0001" and invoice.findtext("Contact") == "Brouwerij De Kroon BV"
    found = soap.payload(
        "Accounting",
        "CheckOutstandingItemAdmin",
        {"sessionID": session, "administrationID": admin, "Reference": "VF-0001"},
    )
    assert len(found) == 1
    item = found[0]
    assert type_id(item) == "6"
    assert item.findtext("OpenAmount") == item.findtext("OriginalAmount") == "29.76"  # 2 x 14.88, VAT included
    assert item.findtext("DueDate") == "2026-04-15" and item.findtext("Date") == "2026-03-16"
    listed = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin, "DateDesc"))
    assert "VF-0001" in {i.findtext("Reference") for i in listed}
    logged = http.get("/_sandbox/sales-invoices").json()["data"]
    assert [(entry["reference"], entry["grossAmount"], entry["responseStyle"]) for entry in logged] == [
        ("VF-0001", "29.76", "child")
    ]


def test_the_response_alternates_between_child_xml_and_escaped_text(
    soap: Soap, session: str, admin: str, http: httpx.Client
) -> None:
    body = sales_body(session, admin, sales_doc(invoice_xml()))
    first = soap.result("Sales", "ProcessSalesInvoices", body)
    second = soap.result("Sales", "ProcessSalesInvoices", body)
    assert len(first) == 1 and not (first.text or "").strip()
    assert len(second) == 0 and (second.text or "").startswith("<SalesInvoicesImportResponse")
    assert ElementTree.fromstring(second.text or "").findtext("Invoice/Reference") == "VF-0002", "not idempotent"
    assert http.post("/_sandbox/settings", json={"salesResponseStyle": "text"}).json()["salesResponseStyle"] == "text"
    third = soap.result("Sales", "ProcessSalesInvoices", body)
    assert len(third) == 0 and "&lt;" not in (third.text or "")


def test_the_document_may_come_as_escaped_text(soap: Soap, session: str, admin: str) -> None:
    escaped = (
        sales_doc(invoice_xml(reference="XX-1234")).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    response = process(soap, session, admin, f'&lt;?xml version="1.0"?&gt;{escaped}')
    assert response.findtext("Invoice/Reference") == "XX-1234" and response.findtext("TotalSucceeded") == "1"


def test_a_wrong_element_order_rejects_the_whole_call(soap: Soap, session: str, admin: str, http: httpx.Client) -> None:
    body = sales_body(session, admin, sales_doc(invoice_xml(), invoice_xml(swap=True)))
    code, message = soap.fault("Sales", "ProcessSalesInvoices", body)
    assert code == "soap:Server"
    assert "has invalid child element 'urn:xmlns:http://www.theyukicompany.com:salesinvoices:Date'" in message
    assert "List of possible elements expected: 'PaymentID, Process'" in message
    assert http.get("/_sandbox/sales-invoices").json()["data"] == [], "nothing of the batch was booked"


def test_sales_parameters_use_lower_case_d(soap: Soap, session: str, admin: str) -> None:
    body = sales_body(session, admin, sales_doc(invoice_xml())).replace("sessionId>", "sessionID>")
    assert "Parameter name: sessionId" in soap.fault("Sales", "ProcessSalesInvoices", body)[1]


def test_an_unknown_vat_combination_fails_only_that_invoice(soap: Soap, session: str, admin: str) -> None:
    document = sales_doc(
        invoice_xml(vat="21", vat_type="9"), invoice_xml(vat="21.00", vat_type="1"), invoice_xml(price="14.885")
    )
    response = process(soap, session, admin, document)
    assert (
        response.findtext("TotalSucceeded"),
        response.findtext("TotalFailed"),
        response.findtext("TotalSkipped"),
    ) == ("1", "2", "0")
    bad_vat, good, bad_price = response.findall("Invoice")
    assert bad_vat.findtext("Succeeded") == "false" and bad_vat.findtext("Processed") == "false"
    assert bad_vat.findtext("Message") == "No tax code for VATPercentage 21 & VATType 9"
    assert good.findtext("Succeeded") == "true" and good.findtext("Reference") == "VF-0001"
    assert bad_price.findtext("Succeeded") == "false" and "more than 2 decimals" in (
        bad_price.findtext("Message") or ""
    )


def test_a_draft_is_not_an_open_item(soap: Soap, session: str, admin: str) -> None:
    response = process(soap, session, admin, sales_doc(invoice_xml(reference="DRAFT-1", process="false")))
    assert response.findtext("Invoice/Succeeded") == "true" and response.findtext("Invoice/Processed") == "false"
    params = {"sessionID": session, "administrationID": admin, "Reference": "DRAFT-1"}
    assert len(soap.payload("Accounting", "CheckOutstandingItemAdmin", params)) == 0


# --- quota and sessions -------------------------------------------------------------------------------------------
def test_the_daily_quota_counts_every_call_and_resets_at_midnight_in_amsterdam(
    http: httpx.Client, sandbox: YukiSandbox
) -> None:
    sandbox.quota.limit = 5
    soap = Soap(http)
    session = soap.login()  # call 1: Authenticate counts
    for _ in range(4):
        soap.result("Accounting", "Administrations", {"sessionID": session})
    code, message = soap.fault("Accounting", "Administrations", {"sessionID": session})
    assert code == "soap:Server" and "Daily limit exceeded" in message
    usage = http.get("/_sandbox/quota").json()
    assert [d["used"] for d in usage["domains"]] == [6, 0]
    assert GUID.match(soap.login(NL_ACCESS_KEY, region="nl")), "another domain has its own quota"
    sandbox.advance(13 * 3600)  # 23:30 in Amsterdam: still today
    assert "Daily limit exceeded" in soap.fault("Accounting", "Administrations", {"sessionID": session})[1]
    sandbox.advance(3600)  # 00:30: a new day
    assert len(soap.payload("Accounting", "Administrations", {"sessionID": session})) == 2
    assert http.delete("/_sandbox/quota").json()["domains"][0]["used"] == 0


def test_a_session_lasts_24_hours(soap: Soap, sandbox: YukiSandbox) -> None:
    session = soap.login()
    sandbox.advance(24 * 3600 - 1)
    assert len(soap.payload("Accounting", "Administrations", {"sessionID": session})) == 2
    sandbox.advance(2)
    code, message = soap.fault("Accounting", "Administrations", {"sessionID": session})
    assert code == "soap:Server" and "Invalid SessionID" in message
    assert soap.login() != session


# --- injected faults ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("invalid_key", "Invalid access key"),
        ("expired_session", "Invalid SessionID"),
        ("quota", "Daily limit exceeded"),
        ("500", "Object reference not set to an instance of an object."),
        ("sql_timeout", "Timeout expired.  The timeout period elapsed"),
        ("deadlock", "chosen as the deadlock victim"),
    ],
)
def test_injected_faults_answer_like_yuki(http: httpx.Client, soap: Soap, kind: str, expected: str) -> None:
    session = soap.login()
    fault = {"kind": kind, "operation": "Administrations", "after": 1, "times": 1}
    assert http.post("/_sandbox/faults", json=fault).status_code == 201
    assert soap.result("Accounting", "Administrations", {"sessionID": session}) is not None  # `after` lets one through
    code, message = soap.fault("Accounting", "Administrations", {"sessionID": session})
    assert code == "soap:Server" and expected in message
    retried = soap.post("Accounting", "Administrations", {"sessionID": session})
    assert retried.status_code == (500 if kind == "expired_session" else 200), "only an expired session stays expired"
    assert http.get("/_sandbox/faults").json()["faults"][0]["fired"] == 1


def test_a_timeout_fault_still_books_the_invoice(http: httpx.Client, soap: Soap, session: str, admin: str) -> None:
    fault = {"kind": "timeout", "operation": "ProcessSalesInvoices", "seconds": 1.5}
    assert http.post("/_sandbox/faults", json=fault).status_code == 201
    body = sales_body(session, admin, sales_doc(invoice_xml()))
    started = time.monotonic()
    with httpx.Client(base_url=http.base_url, timeout=0.5) as impatient, pytest.raises(httpx.ReadTimeout):
        Soap(impatient).post("Sales", "ProcessSalesInvoices", body)
    assert time.monotonic() - started < 1.4
    params = {"sessionID": session, "administrationID": admin, "Reference": "VF-0001"}
    assert len(soap.payload("Accounting", "CheckOutstandingItemAdmin", params)) == 1, "check before retrying"


def test_a_malformed_answer_is_cut_off(http: httpx.Client, soap: Soap) -> None:
    assert http.post("/_sandbox/faults", json={"kind": "malformed"}).status_code == 201
    response = soap.post("Accounting", "Authenticate", {"accessKey": BE_ACCESS_KEY})
    assert response.status_code == 200
    with pytest.raises(ParseError):
        ElementTree.fromstring(response.content)


def test_fault_specs_are_checked(http: httpx.Client) -> None:
    response = http.post("/_sandbox/faults", json={"kind": "drop"})
    assert response.status_code == 400 and "kind must be one of" in response.json()["error"]
    assert http.delete("/_sandbox/faults").json() == {"faults": []}


# --- the control API's ground truth and data changes -----------------------------------------------------------------
def test_settling_an_item_books_the_payment_and_removes_it(
    http: httpx.Client, soap: Soap, session: str, admin: str, sandbox: YukiSandbox
) -> None:
    item = truth(sandbox)["openDebtorItems"][0]
    settled = http.post(f"/_sandbox/items/{item['id']}/settle", json={}).json()
    assert settled["item"]["openAmount"] == "0.00"
    assert {line["glAccountCode"] for line in settled["data"]} == {"550000", "400000"}
    items = soap.payload("Accounting", "OutstandingDebtorItems", listing(session, admin))
    assert item["id"] not in {i.get("ID") for i in items} and len(items) == 39


def test_added_transactions_show_in_the_ledger(http: httpx.Client, soap: Soap, session: str, admin: str) -> None:
    spec = {"glAccountCode": "550000", "amount": "250.00", "date": "2026-03-16", "description": "Storting"}
    created = http.post(f"/_sandbox/administrations/{admin}/transactions", json={"transactions": [spec]})
    assert created.status_code == 201
    lines = created.json()["data"]
    assert [(line["glAccountCode"], line["amount"]) for line in lines] == [("550000", "250.00"), ("499000", "-250.00")]
    params = {
        "sessionID": session,
        "administrationID": admin,
        "GLAccountCode": "550000",
        "StartDate": "2026-03-16",
        "EndDate": "2026-03-16",
    }
    shown = soap.payload("Accounting", "GLAccountTransactions", params)
    assert [(line.get("ID"), line.findtext("Description")) for line in shown] == [(lines[0]["id"], "Storting")]
    bad = http.post(
        f"/_sandbox/administrations/{admin}/transactions", json={"transactions": [spec | {"glAccountCode": "999"}]}
    )
    assert bad.status_code == 400


# --- determinism and size ------------------------------------------------------------------------------------------
def test_the_same_seed_and_day_give_the_same_books() -> None:
    first = YukiSandbox(seed=7, now=lambda: NOW).ground_truth(transactions=False)
    again = YukiSandbox(seed=7, now=lambda: NOW).ground_truth(transactions=False)
    other = YukiSandbox(seed=8, now=lambda: NOW).ground_truth(transactions=False)
    assert first == again
    assert first != other


@pytest.mark.slow
def test_a_big_sandbox_holds_the_books_it_was_asked_for() -> None:
    # Its build time is measured by `make bench-yuki`, which builds one of this size.
    sandbox = YukiSandbox(seed=2026, now=lambda: NOW, open_items=20_000, gl_transactions_per_month=8_000)
    ledger = sandbox.administration.ledger
    assert len(ledger.outstanding("debtor", include_bank=False)) == 20_000
    assert ledger.counts()["glTransactions"] >= 200_000
    assert min(count for (year, month), count in ledger.months().items() if (year, month) >= (2024, 3)) >= 8_000
    end = sandbox.window.end + timedelta(days=1)
    assert sum(cents for _, cents in ledger.balances(end)) == 0
