"""The Yuki SOAP client against recorded-style responses: every quirk of Yuki's XML, each fault
mapping, safe parsing, paging, the session life cycle and the SalesInvoices document's XSD order.

The bodies below follow the examples of Yuki's documentation (Postman collection, support
articles) as collected in the project's Yuki reference; httpx.MockTransport plays Yuki's HTTP."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from integrations.errors import AuthError, FailureClass, PermanentError, TransientError
from integrations.http import RetryPolicy
from integrations.yuki import soap
from integrations.yuki.client import (
    Administration,
    ChangedTransaction,
    MemorySessionCache,
    OpenItem,
    QuotaExceeded,
    SalesContact,
    SalesInvoiceInput,
    SalesInvoiceResult,
    SalesLine,
    StaleSession,
    YukiClient,
    sales_invoices_document,
)

YUKI = "http://www.theyukicompany.com/"
SALES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"
ADMIN = "38a97d9b-2b1e-4a8c-9a57-4b0c6f2e7d11"
DOMAIN = "e9570a5f-6b5e-4c3f-8f36-1d9b2c3a4e55"
BASE_URL = "http://127.0.0.1:9/be"  # a sandbox-style base URL with a path

# The XSD sequences of SalesInvoices.xsd, copied from the reference (§4), not from the client.
XSD_SALES_INVOICE = [
    "Reference",
    "Subject",
    "PaymentMethod",
    "PaymentID",
    "Process",
    "EmailToCustomer",
    "SentToPeppol",
    "Layout",
    "Notes",
    "Date",
    "DueDate",
    "PriceList",
    "Currency",
    "ProjectID",
    "ProjectCode",
    "Remarks",
    "Contact",
    "ContactPerson",
    "InvoiceLines",
]
XSD_CONTACT = [
    "ContactCode",
    "FullName",
    "FirstName",
    "MiddleName",
    "LastName",
    "Gender",
    "CountryCode",
    "City",
    "Zipcode",
    "AddressLine_1",
    "AddressLine_2",
    "EmailAddress",
    "Website",
    "CoCNumber",
    "VATNumber",
    "ContactType",
    "BankAccount",
    "PhoneHome",
    "MobileHome",
]
XSD_INVOICE_LINE = ["Description", "Remarks", "ProductQuantity", "Product", "AccrualDate", "AccrualPeriods"]
XSD_PRODUCT = [
    "Description",
    "Reference",
    "Category",
    "SalesPrice",
    "VATPercentage",
    "VATIncluded",
    "VATType",
    "VATDescription",
    "GLAccountCode",
    "Remarks",
]


# ---------------------------------------------------------------------------------------------
# Recorded-style bodies


def soap_body(inner: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f"<soap:Body>{inner}</soap:Body></soap:Envelope>"
    )


def result_xml(operation: str, inner: str) -> str:
    return soap_body(
        f'<{operation}Response xmlns="{YUKI}"><{operation}Result>{inner}</{operation}Result></{operation}Response>'
    )


def ok(operation: str, inner: str) -> httpx.Response:
    return httpx.Response(
        200, content=result_xml(operation, inner).encode(), headers={"Content-Type": "text/xml; charset=utf-8"}
    )


def fault_xml(faultstring: str) -> str:
    return soap_body(
        f"<soap:Fault><faultcode>soap:Server</faultcode><faultstring>{faultstring}</faultstring><detail/></soap:Fault>"
    )


def fault(faultstring: str, status: int = 500) -> httpx.Response:
    return httpx.Response(
        status, content=fault_xml(faultstring).encode(), headers={"Content-Type": "text/xml; charset=utf-8"}
    )


ADMINISTRATIONS = f"""<Administrations xmlns="">
 <Administration ID="{ADMIN}"><Name>Highpro BV</Name><AddressLine/><Postcode/><City/><Country>BE</Country>
  <CoCNumber/><VATNumber/><StartDate>2016-02-05</StartDate><DomainID>{DOMAIN}</DomainID><Active>true</Active>
 </Administration>
 <Administration ID="5d0c2b8e-1f3a-4e6d-9c7b-0a1b2c3d4e5f"><Name>Oud BV</Name><Country>NL</Country>
  <DomainID>{DOMAIN}</DomainID><Active>false</Active>
 </Administration></Administrations>"""

DEBTOR_ITEM = """<Item ID="ef1a1588-6a43-4b8e-9f0e-2c5d7f3a1b22"><Date>2020-01-31</Date><Description>Testfactuur - 1</Description>
  <Contact>Apple Sales International</Contact><ContactID>22f8a673-0c1d-4e2f-8a9b-3c4d5e6f7a8b</ContactID>
  <OpenAmount>29.76</OpenAmount><OriginalAmount>29.76</OriginalAmount><Type ID="6">Verkoopfactuur</Type>
  <Reference>XX-12534</Reference><DueDate>2012-07-22</DueDate><DocumentID>c9cc2001-5e6f-4a7b-8c9d-0e1f2a3b4c5d</DocumentID>
  <PaymentMethod>Overschrijving</PaymentMethod><ContactCode>1122</ContactCode><CoCNumber/><VATNumber/>
  <AddressLine_1/><AddressLine_2/><Postcode/><City/><MailAddressLine_1/><MailAddressLine_2/><MailPostcode/>
  <MailCity/><Country>NL</Country><RecipientEmail/><PhoneHome/><PhoneWork/><EmailHome/><EmailWork>ar@apple.example</EmailWork>
 </Item>"""  # noqa: E501

SECOND_DEBTOR_ITEM = """<Item ID="0b9e8d7c-6f5e-4d3c-2b1a-098765432100"><Date>2020-08-06T00:00:00</Date>
  <Description>Factuur 2 &amp; meer</Description><Contact>Bakkerij Janssens</Contact><ContactID/>
  <OpenAmount>1049.50</OpenAmount><OriginalAmount>1210.00</OriginalAmount><Type ID="6">Verkoopfactuur</Type>
  <Reference>VF-0002</Reference><DueDate /><DocumentID/><ContactCode/><VATNumber>BE0123456789</VATNumber>
  <Country>BE</Country><RecipientEmail/><EMailWork>boekhouding@janssens.example</EMailWork></Item>"""

CREDITOR_ITEM = """<Item ID="7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d"><Date>2024-02-29</Date>
  <Description>Factuur van Telenet</Description><Contact>Telenet</Contact><ContactID>aa11bb22-cc33-dd44-ee55-ff6677889900</ContactID>
  <OpenAmount>60.50</OpenAmount><OriginalAmount>60.50</OriginalAmount><Type ID="2">Inkoopfactuur</Type>
  <Reference>T-99</Reference><DueDate>2024-03-30</DueDate><DocumentID/><ContactCode>TEL</ContactCode>
  <VATNumber>BE0473416418</VATNumber><Country>BE</Country><RecipientEmail/><EmailWork/></Item>"""  # noqa: E501

GL_SCHEME = """<GlAccount><code>100000</code><type>1</type><subtype>10</subtype><isEnabled>True</isEnabled>
  <descripton>Geplaatst kapitaal</descripton></GlAccount>
 <GlAccount><code>550000</code><type>1</type><subtype/><isEnabled>false</isEnabled>
  <descripton>Bank</descripton></GlAccount>"""

GL_BALANCE = """<GLAccountBalance xmlns="">
 <GLAccount Code="100000" BalanceType="B"><Description>Geplaatst kapitaal</Description><Amount>-1222.22</Amount></GLAccount>
 <GLAccount Code="700000" BalanceType="W"><Description/><Amount>-18680.36</Amount></GLAccount>
 <GLAccount Code="550000" BalanceType="B"><Description>KBC</Description><Amount>695.74</Amount></GLAccount>
</GLAccountBalance>"""  # noqa: E501

GL_TRANSACTIONS = """<GLAccountTransactions xmlns=""><GLAccountTransaction ID="43061123-aaaa-4bbb-8ccc-ddddeeeeffff">
 <Date>2020-01-01</Date><Description>Factuur voor Quentin test</Description><Amount>-47.45</Amount>
 <Contact>Quentin test</Contact><ContactID>79cea46b-1111-4222-8333-444455556666</ContactID>
 <Project Code="WELLNESS">Wellness Event</Project><GLAccountCode>700000</GLAccountCode>
</GLAccountTransaction></GLAccountTransactions>"""


def updated_transaction(n: int, *, deleted: bool = False) -> str:
    return f"""<UpdatedTransaction><id>c6e77963-1eb6-4aea-bb65-{n:012d}</id>
 <transactionDate>2023-02-06T00:00:00</transactionDate><description>Factuur voor Biovita Bvba</description>
 <transactionAmount>-63.00</transactionAmount><transactionAmountForeignCurrency>-63.00</transactionAmountForeignCurrency>
 <currencyRate>1.000000</currencyRate><currency>EUR</currency><contactID>64f5dfa0-d756-4fd2-8f1f-2b795439249a</contactID>
 <fullName>Biovita Bvba</fullName><glAccountCode>494100</glAccountCode><documentID />
 <created>2023-06-06T16:39:38.147</created><updated>2023-07-25T13:37:58.3</updated>
 <deleted>{"true" if deleted else "false"}</deleted></UpdatedTransaction>"""


def contact_xml(n: int, *, email_tag: str = "EMailWork") -> str:
    return f"""<Contact ID="c0ffee00-0000-4000-8000-{n:012d}"><Type>Company</Type><HID>{n}</HID><Code>C{n}</Code>
 <Name>Klant {n} &amp; Zonen</Name><AddressLine_1>Bergweg 25</AddressLine_1><AddressLine_2/><Postcode>3000</Postcode>
 <City>Leuven</City><Country>BE</Country><PhoneHome/><{email_tag}>klant{n}@example.be</{email_tag}><Website/>
 <VATNumber>BE0{n:09d}</VATNumber><CoCNumber/><Created>4/10/2019 3:50:52 PM</Created>
 <Modified>12/31/2023 11:05:00 AM</Modified><Tags/><BackofficeStatus/></Contact>"""


SALES_RESPONSE = f"""<SalesInvoicesImportResponse xmlns="urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse">
 <TimeStamp>2012-04-09</TimeStamp><AdministrationId>{ADMIN}</AdministrationId>
 <TotalSucceeded>1</TotalSucceeded><TotalFailed>1</TotalFailed><TotalSkipped>0</TotalSkipped>
 <Invoice><Succeeded>true</Succeeded><Processed>true</Processed><EmailSent>false</EmailSent>
  <Reference>VF-0001</Reference><Subject>Testfactuur - 1</Subject><Contact>Apple Sales International</Contact><Message/></Invoice>
 <Invoice><Succeeded>false</Succeeded><Processed>false</Processed><EmailSent>false</EmailSent>
  <Reference/><Subject>Testfactuur - 2</Subject><Contact>Bakkerij Janssens</Contact>
  <Message>No tax code for VATPercentage 21 &amp; VATType 9</Message></Invoice>
</SalesInvoicesImportResponse>"""  # noqa: E501

BILLION_LAUGHS = soap_body(
    f'<AuthenticateResponse xmlns="{YUKI}"><AuthenticateResult>&lol9;</AuthenticateResult></AuthenticateResponse>'
).replace(
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>",
)

EXTERNAL_ENTITY = soap_body(
    f'<AuthenticateResponse xmlns="{YUKI}"><AuthenticateResult>&xxe;</AuthenticateResult></AuthenticateResponse>'
).replace(
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
)


# ---------------------------------------------------------------------------------------------
# Yuki's HTTP side


Reply = httpx.Response | Exception


class FakeYuki:
    """Answers per operation from a queue; Authenticate hands out session-1, session-2, ..."""

    def __init__(self) -> None:
        self.queue: dict[str, list[Reply]] = defaultdict(list)
        self.requests: list[httpx.Request] = []
        self.sessions = 0

    def reply(self, operation: str, *replies: Reply) -> None:
        self.queue[operation].extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        operation = operation_of(request)
        if self.queue[operation]:
            answer = self.queue[operation].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if operation == "Authenticate":
            self.sessions += 1
            return ok("Authenticate", f"session-{self.sessions}")
        raise AssertionError(f"no reply queued for {operation}")

    @property
    def operations(self) -> list[str]:
        return [operation_of(request) for request in self.requests]

    def params(self, index: int = -1) -> list[tuple[str, str]]:
        return params_of(self.requests[index])


def operation_of(request: httpx.Request) -> str:
    action = request.headers["SOAPAction"]
    assert action.startswith('"') and action.endswith('"')
    return action.strip('"').removeprefix(YUKI)


def operation_element(request: httpx.Request) -> Element:
    root = SafeET.fromstring(request.content)
    assert root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    (body,) = list(root)
    (operation,) = list(body)
    return operation


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    params = []
    for el in operation_element(request):
        assert el.tag.startswith("{" + YUKI + "}"), el.tag  # every parameter in Yuki's namespace
        params.append((el.tag.removeprefix("{" + YUKI + "}"), el.text or ""))
    return params


def make_client(fake: FakeYuki, *, attempts: int = 3, **kwargs: object) -> YukiClient:
    return YukiClient(
        BASE_URL,
        "key&<1>",
        transport=httpx.MockTransport(fake),
        policy=RetryPolicy(attempts=attempts, base_delay=0, total_cap=10),
        timeout=5,
        sleep=lambda _seconds: None,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def fake() -> FakeYuki:
    return FakeYuki()


# ---------------------------------------------------------------------------------------------
# Requests on the wire


def test_an_envelope_is_document_literal_in_yukis_namespace_with_escaped_values(fake: FakeYuki):
    fake.reply("Administrations", ok("Administrations", ADMINISTRATIONS))
    make_client(fake).administrations()

    authenticate, administrations = fake.requests
    for request in fake.requests:
        assert request.method == "POST"
        assert request.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert str(authenticate.url) == "http://127.0.0.1:9/be/ws/Accounting.asmx"
    assert authenticate.headers["SOAPAction"] == '"http://www.theyukicompany.com/Authenticate"'
    assert operation_element(authenticate).tag == "{http://www.theyukicompany.com/}Authenticate"
    assert fake.params(0) == [("accessKey", "key&<1>")]
    assert b"key&amp;&lt;1&gt;" in authenticate.content
    assert administrations.headers["SOAPAction"] == '"http://www.theyukicompany.com/Administrations"'
    assert fake.params(1) == [("sessionID", "session-1")]


def test_envelope_embeds_an_xml_document_as_child_xml_without_its_declaration():
    document = soap.xml_fragment('<?xml version="1.0" encoding="utf-8"?>\n<Doc xmlns="urn:x"><A>1 &amp; 2</A></Doc>')
    raw = soap.envelope("ProcessSalesInvoices", [("sessionId", "s"), ("xmlDoc", document), ("skipped", None)])

    assert raw.count(b"<?xml") == 1 and raw.startswith(b"<?xml")
    root = SafeET.fromstring(raw)
    operation = root[0][0]
    assert [el.tag for el in operation] == [f"{{{YUKI}}}sessionId", f"{{{YUKI}}}xmlDoc"]
    (doc,) = list(operation[1])
    assert doc.tag == "{urn:x}Doc" and doc[0].text == "1 & 2"


def test_envelope_values_are_formatted_for_yuki():
    assert soap.format_value(True) == "true" and soap.format_value(False) == "false"
    assert soap.format_value(datetime.date(2024, 1, 31)) == "2024-01-31"
    assert soap.format_value(datetime.datetime(2024, 1, 31, 8, 5, 3)) == "2024-01-31T08:05:03"
    assert soap.format_value(Decimal("1E+2")) == "100"
    assert soap.format_value(Decimal("14.880")) == "14.880"
    assert soap.escape_text("a\x00b\r<c>&") == "ab&#13;&lt;c&gt;&amp;"
    with pytest.raises(ValueError, match="operation"):
        soap.envelope("Bad<Op>", [])
    with pytest.raises(PermanentError, match="unsafe XML"):
        soap.xml_fragment('<!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>')


# ---------------------------------------------------------------------------------------------
# Read operations and Yuki's quirks


def test_administrations_read_ids_from_attributes_under_an_xmlns_reset(fake: FakeYuki):
    fake.reply("Administrations", ok("Administrations", ADMINISTRATIONS))

    assert make_client(fake).administrations() == [
        Administration(id=ADMIN, name="Highpro BV", country="BE", domain_id=DOMAIN, active=True),
        Administration(
            id="5d0c2b8e-1f3a-4e6d-9c7b-0a1b2c3d4e5f", name="Oud BV", country="NL", domain_id=DOMAIN, active=False
        ),
    ]


def test_outstanding_debtor_items_parse_every_field_and_empty_elements_as_none(fake: FakeYuki):
    body = f'<OutstandingDebtorItems xmlns="">{DEBTOR_ITEM}{SECOND_DEBTOR_ITEM}</OutstandingDebtorItems>'
    fake.reply("OutstandingDebtorItems", ok("OutstandingDebtorItems", body))

    first, second = make_client(fake).outstanding_debtor_items(ADMIN)

    assert fake.params() == [
        ("sessionID", "session-1"),
        ("administrationID", ADMIN),
        ("includeBankTransactions", "false"),
        ("sortOrder", "DateAsc"),
    ]
    assert str(fake.requests[-1].url) == "http://127.0.0.1:9/be/ws/Accounting.asmx"
    assert first == OpenItem(
        id="ef1a1588-6a43-4b8e-9f0e-2c5d7f3a1b22",
        date=datetime.date(2020, 1, 31),
        description="Testfactuur - 1",
        contact="Apple Sales International",
        contact_id="22f8a673-0c1d-4e2f-8a9b-3c4d5e6f7a8b",
        contact_code="1122",
        open_amount=Decimal("29.76"),
        original_amount=Decimal("29.76"),
        type_id=6,
        reference="XX-12534",
        due_date=datetime.date(2012, 7, 22),
        document_id="c9cc2001-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        vat_number=None,
        country="NL",
        email="ar@apple.example",
    )
    assert isinstance(first.open_amount, Decimal)
    # A date-time date, an empty <DueDate />, EMailWork spelled with a capital M, an escaped ampersand.
    assert second.date == datetime.date(2020, 8, 6)
    assert second.due_date is None and second.contact_id is None and second.contact_code is None
    assert second.email == "boekhouding@janssens.example"
    assert second.description == "Factuur 2 & meer"
    assert (second.open_amount, second.original_amount) == (Decimal("1049.50"), Decimal("1210.00"))


def test_a_single_item_and_no_items_are_both_lists(fake: FakeYuki):
    fake.reply(
        "OutstandingCreditorItems",
        ok(
            "OutstandingCreditorItems", f'<OutstandingCreditorItems xmlns="">{CREDITOR_ITEM}</OutstandingCreditorItems>'
        ),
        ok("OutstandingCreditorItems", '<OutstandingCreditorItems xmlns="" />'),
        ok("OutstandingCreditorItems", ""),
    )
    client = make_client(fake)

    (item,) = client.outstanding_creditor_items(ADMIN)
    assert item.type_id == 2 and item.open_amount == Decimal("60.50") and item.email is None
    assert item.date == datetime.date(2024, 2, 29) and item.contact_code == "TEL"
    assert client.outstanding_creditor_items(ADMIN) == []
    assert client.outstanding_creditor_items(ADMIN) == []


def test_check_outstanding_item_sends_the_reference(fake: FakeYuki):
    fake.reply(
        "CheckOutstandingItemAdmin",
        ok("CheckOutstandingItemAdmin", f'<OutstandingItems xmlns="">{DEBTOR_ITEM}</OutstandingItems>'),
    )

    (item,) = make_client(fake).check_outstanding_item(ADMIN, "XX-12534")

    assert item.reference == "XX-12534"
    assert fake.params() == [("sessionID", "session-1"), ("administrationID", ADMIN), ("Reference", "XX-12534")]


def test_gl_account_scheme_reads_lower_camel_typed_results_and_the_misspelled_descripton(fake: FakeYuki):
    fake.reply("GetGLAccountScheme", ok("GetGLAccountScheme", GL_SCHEME))

    accounts = make_client(fake).gl_account_scheme(ADMIN)

    assert str(fake.requests[-1].url).endswith("/be/ws/AccountingInfo.asmx")
    assert fake.params() == [("sessionID", "session-1"), ("administrationID", ADMIN)]
    assert [(a.code, a.type, a.subtype, a.enabled, a.description) for a in accounts] == [
        ("100000", "1", "10", True, "Geplaatst kapitaal"),
        ("550000", "1", None, False, "Bank"),
    ]


def test_gl_account_balance_reads_code_and_balance_type_from_attributes(fake: FakeYuki):
    fake.reply("GLAccountBalance", ok("GLAccountBalance", GL_BALANCE))

    balances = make_client(fake).gl_account_balance(ADMIN, datetime.date(2024, 1, 31))

    assert fake.params()[2:] == [("transactionDate", "2024-01-31")]
    assert [(b.code, b.balance_type, b.description, b.amount) for b in balances] == [
        ("100000", "B", "Geplaatst kapitaal", Decimal("-1222.22")),
        ("700000", "W", "", Decimal("-18680.36")),
        ("550000", "B", "KBC", Decimal("695.74")),
    ]


def test_gl_account_transactions_use_the_capitalised_parameters(fake: FakeYuki):
    fake.reply("GLAccountTransactions", ok("GLAccountTransactions", GL_TRANSACTIONS))

    (transaction,) = make_client(fake).gl_account_transactions(
        ADMIN, "700000", datetime.date(2020, 1, 1), datetime.date(2020, 1, 31)
    )

    assert fake.params() == [
        ("sessionID", "session-1"),
        ("administrationID", ADMIN),
        ("GLAccountCode", "700000"),
        ("StartDate", "2020-01-01"),
        ("EndDate", "2020-01-31"),
    ]
    assert transaction.id == "43061123-aaaa-4bbb-8ccc-ddddeeeeffff"
    assert transaction.date == datetime.date(2020, 1, 1)
    assert transaction.amount == Decimal("-47.45")
    assert (transaction.contact, transaction.contact_id) == ("Quentin test", "79cea46b-1111-4222-8333-444455556666")
    assert transaction.gl_account_code == "700000"  # not the nested <Project Code="WELLNESS">


def test_gl_account_transactions_of_every_account_keep_only_the_accounts_asked_for(fake: FakeYuki):
    bank_line = GL_TRANSACTIONS.replace("43061123-aaaa", "99999999-aaaa").replace(">700000<", ">550000<")
    lines = GL_TRANSACTIONS.removesuffix("</GLAccountTransactions>") + bank_line.split(">", 1)[1]
    fake.reply("GLAccountTransactions", ok("GLAccountTransactions", lines))

    (transaction,) = make_client(fake).gl_account_transactions(
        ADMIN, "", datetime.date(2020, 1, 1), datetime.date(2020, 1, 31), only={"550000", "570000"}
    )

    assert (transaction.id, transaction.gl_account_code) == ("99999999-aaaa-4bbb-8ccc-ddddeeeeffff", "550000")
    assert transaction.amount == Decimal("-47.45")


def test_updated_and_deleted_transactions_walk_record_windows_until_a_short_page(fake: FakeYuki):
    fake.reply(
        "GetUpdatedAndDeletedTransactions",
        ok("GetUpdatedAndDeletedTransactions", updated_transaction(1) + updated_transaction(2)),
        ok("GetUpdatedAndDeletedTransactions", updated_transaction(3) + updated_transaction(4, deleted=True)),
        ok("GetUpdatedAndDeletedTransactions", updated_transaction(5)),
    )

    changes = make_client(fake).updated_and_deleted_transactions(
        ADMIN, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31), page_size=2
    )

    pages = [params_of(r) for r in fake.requests if operation_of(r) == "GetUpdatedAndDeletedTransactions"]
    assert [dict(p)["startRecord"] for p in pages] == ["0", "2", "4"]
    assert pages[0] == [
        ("sessionID", "session-1"),  # ChangeDigest follows the Accounting casing
        ("administrationID", ADMIN),
        ("startDate", "2023-01-01"),
        ("endDate", "2023-12-31"),
        ("numberOfRecords", "2"),
        ("startRecord", "0"),
    ]
    assert len(changes) == 5
    assert changes[0] == ChangedTransaction(
        id="c6e77963-1eb6-4aea-bb65-000000000001",
        date=datetime.date(2023, 2, 6),
        description="Factuur voor Biovita Bvba",
        amount=Decimal("-63.00"),
        gl_account_code="494100",
        contact_id="64f5dfa0-d756-4fd2-8f1f-2b795439249a",
        full_name="Biovita Bvba",
        created=datetime.datetime(2023, 6, 6, 16, 39, 38, 147000),
        updated=datetime.datetime(2023, 7, 25, 13, 37, 58, 300000),
        deleted=False,
    )
    assert [change.deleted for change in changes] == [False, False, False, True, False]


def test_search_contacts_pages_until_empty_and_reads_us_dates(fake: FakeYuki):
    first_page = "".join(contact_xml(n) for n in range(1, 101))
    second_page = contact_xml(101, email_tag="EmailWork")
    fake.reply(
        "SearchContacts",
        ok("SearchContacts", f'<Contacts xmlns="">{first_page}</Contacts>'),
        ok("SearchContacts", f'<Contacts xmlns="">{second_page}</Contacts>'),
        ok("SearchContacts", '<Contacts xmlns="" />'),
    )

    contacts = make_client(fake).search_contacts(DOMAIN)

    pages = [params_of(r) for r in fake.requests if operation_of(r) == "SearchContacts"]
    assert [dict(p)["pageNumber"] for p in pages] == ["1", "2", "3"]
    assert str(fake.requests[-1].url).endswith("/be/ws/Contact.asmx")
    assert [name for name, _ in pages[0]] == [
        "sessionID",
        "domainID",
        "searchOption",
        "searchValue",
        "sortOrder",
        "modifiedAfter",
        "active",
        "pageNumber",
    ]
    assert dict(pages[0])["domainID"] == DOMAIN and dict(pages[0])["modifiedAfter"] == "0001-01-01"
    assert len(contacts) == 101
    first, last = contacts[0], contacts[-1]
    assert (first.code, first.name, first.vat_number) == ("C1", "Klant 1 & Zonen", "BE0000000001")
    assert (first.city, first.postcode, first.address, first.country) == ("Leuven", "3000", "Bergweg 25", "BE")
    assert first.created == datetime.datetime(2019, 4, 10, 15, 50, 52)
    assert first.modified == datetime.datetime(2023, 12, 31, 11, 5)
    assert first.email == "klant1@example.be" and last.email == "klant101@example.be"  # EMailWork and EmailWork
    assert first.is_supplier is None


def test_search_contacts_sends_modified_after(fake: FakeYuki):
    fake.reply("SearchContacts", ok("SearchContacts", '<Contacts xmlns="" />'))

    assert make_client(fake).search_contacts(DOMAIN, modified_after=datetime.datetime(2024, 5, 1, 12, 0)) == []
    assert dict(fake.params())["modifiedAfter"] == "2024-05-01T12:00:00"


# ---------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-01-31", datetime.datetime(2020, 1, 31)),
        ("2020-08-06T00:00:00", datetime.datetime(2020, 8, 6)),
        ("2023-06-06T16:39:38.147", datetime.datetime(2023, 6, 6, 16, 39, 38, 147000)),
        ("4/10/2019 3:50:52 PM", datetime.datetime(2019, 4, 10, 15, 50, 52)),
        ("4/10/2019 3:50:52 AM", datetime.datetime(2019, 4, 10, 3, 50, 52)),
        (" 2024-02-29 ", datetime.datetime(2024, 2, 29)),
    ],
)
def test_dates_in_every_format_yuki_uses(raw: str, expected: datetime.datetime):
    assert soap.to_datetime(raw) == expected
    assert soap.to_date(raw) == expected.date()


def test_values_empty_booleans_decimals_and_refusals():
    assert soap.to_date(None) is None and soap.to_decimal(None) is None and soap.to_bool(None) is None
    assert soap.to_bool("true") is True and soap.to_bool("True") is True and soap.to_bool("false") is False
    assert soap.to_decimal("695.74") == Decimal("695.74") and soap.to_decimal("-0.01") == Decimal("-0.01")
    assert soap.to_decimal("1.000000") == Decimal("1.000000")
    for bad_decimal in ("1,50", "1.234,56", "NaN", "Infinity", "abc"):
        with pytest.raises(PermanentError):
            soap.to_decimal(bad_decimal)
    with pytest.raises(PermanentError):
        soap.to_bool("yes")
    with pytest.raises(PermanentError):
        soap.to_date("31.01.2020")
    element = SafeET.fromstring(
        '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><A /><B>  </B><C xsi:nil="true"/><D> x </D></r>'
    )
    assert [soap.text(element, name) for name in "ABCD"] == [None, None, None, "x"]


# ---------------------------------------------------------------------------------------------
# Safe parsing


def test_a_billion_laughs_payload_is_refused_not_expanded():
    with pytest.raises(PermanentError, match="unsafe XML") as caught:
        soap.parse_envelope(BILLION_LAUGHS.encode())
    assert caught.value.failure_class == FailureClass.PERMANENT
    assert isinstance(caught.value.__cause__, DefusedXmlException)  # refused by the parser, before any expansion


def test_an_external_entity_payload_is_refused():
    with pytest.raises(PermanentError, match="unsafe XML"):
        soap.parse_envelope(EXTERNAL_ENTITY.encode())
    with pytest.raises(PermanentError, match="unsafe XML"):  # any DTD at all
        soap.parse_envelope(b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd"><x/>')


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_the_client_refuses_an_unsafe_response_once_without_retrying(fake: FakeYuki, payload: str):
    fake.reply("Authenticate", httpx.Response(200, content=payload.encode()))
    cache = MemorySessionCache()

    with pytest.raises(PermanentError, match="unsafe XML"):
        make_client(fake, session_cache=cache).authenticate()
    assert fake.operations == ["Authenticate"] and cache.get() is None


def test_malformed_xml_is_transient_and_retried(fake: FakeYuki):
    truncated = result_xml("Administrations", ADMINISTRATIONS)[:300]
    fake.reply(
        "Administrations", httpx.Response(200, content=truncated.encode()), ok("Administrations", ADMINISTRATIONS)
    )

    assert len(make_client(fake).administrations()) == 2
    assert fake.operations == ["Authenticate", "Administrations", "Administrations"]

    fake.reply("Administrations", *[httpx.Response(200, content=b"<soap:Envelope") for _ in range(2)])
    with pytest.raises(TransientError, match="not well-formed XML"):
        make_client(fake, attempts=2).administrations()


def test_xml_that_is_not_a_soap_envelope_is_transient():
    with pytest.raises(TransientError, match="not a SOAP envelope"):
        soap.parse_envelope(b"<html><body>Service Unavailable</body></html>")


# ---------------------------------------------------------------------------------------------
# Faults


@pytest.mark.parametrize("status", [500, 200])
@pytest.mark.parametrize(
    ("faultstring", "error"),
    [
        ("Invalid access key", AuthError),
        ("Server was unable to process request. ---&gt; Invalid access key.", AuthError),
        ("Server was unable to process request. ---&gt; The session is invalid or has expired.", StaleSession),
        ("Invalid SessionID", StaleSession),
        ("Server was unable to process request. ---&gt; Daily limit exceeded.", QuotaExceeded),
        (
            "Server was unable to process request. ---&gt; No tax code for VATPercentage 21 &amp; VATType 9",
            PermanentError,
        ),
        ("Server was unable to process request. ---&gt; Domain is inactive", PermanentError),
    ],
)
def test_faults_map_to_the_framework_classes(fake: FakeYuki, status: int, faultstring: str, error: type[Exception]):
    fake.reply("GLAccountBalance", fault(faultstring, status))

    with pytest.raises(error) as caught:
        make_client(fake).gl_account_balance(ADMIN, datetime.date(2024, 1, 31))

    assert type(caught.value) is error
    if error is PermanentError:
        assert (SafeET.fromstring(fault_xml(faultstring).encode()).findtext(".//faultstring") or "?") in str(
            caught.value
        )
    # Never retried by the transport (and a session fresh from Authenticate earns no second one).
    assert fake.operations == ["Authenticate", "GLAccountBalance"]


def test_auth_error_asks_for_reauthorisation():
    error = soap.map_fault("Invalid access key")
    assert isinstance(error, AuthError) and error.failure_class == FailureClass.AUTH


def test_an_invalid_access_key_on_authenticate_is_an_auth_error_and_caches_nothing(fake: FakeYuki):
    fake.reply("Authenticate", fault("Server was unable to process request. ---&gt; Invalid access key"))
    cache = MemorySessionCache()

    with pytest.raises(AuthError, match="Invalid access key"):
        make_client(fake, session_cache=cache).administrations()
    assert fake.operations == ["Authenticate"] and cache.get() is None


def test_quota_fault_carries_seconds_until_midnight_in_amsterdam(fake: FakeYuki):
    fake.reply("GetGLAccountScheme", fault("Daily limit exceeded", 500))

    with pytest.raises(QuotaExceeded) as caught:
        make_client(fake).gl_account_scheme(ADMIN)

    assert caught.value.failure_class == FailureClass.TRANSIENT
    assert caught.value.retry_after is not None and 0 < caught.value.retry_after <= 25 * 3600
    assert fake.operations == ["Authenticate", "GetGLAccountScheme"]  # not retried by the transport


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        (datetime.datetime(2024, 6, 1, 21, 0, tzinfo=datetime.UTC), 3600),  # 23:00 CEST
        (datetime.datetime(2024, 1, 15, 22, 30, tzinfo=datetime.UTC), 1800),  # 23:30 CET
        (datetime.datetime(2024, 3, 31, 0, 0, tzinfo=datetime.UTC), 22 * 3600),  # a 23-hour day (DST starts)
        (datetime.datetime(2024, 10, 27, 0, 0, tzinfo=datetime.UTC), 23 * 3600),  # a 25-hour day (DST ends)
    ],
)
def test_quota_reset_is_the_next_midnight_in_amsterdam(now: datetime.datetime, seconds: int):
    assert soap.seconds_until_quota_reset(now) == seconds
    assert QuotaExceeded(now=now).retry_after == seconds


def test_classify_reads_the_fault_before_the_status():
    assert isinstance(soap.classify(fault("Daily limit exceeded")), QuotaExceeded)
    assert isinstance(soap.classify(fault("Invalid access key")), AuthError)
    proxy = soap.classify(httpx.Response(503, content=b"<html>busy</html>"))
    assert type(proxy) is TransientError
    throttled = soap.classify(httpx.Response(429, headers={"Retry-After": "7"}))
    assert type(throttled) is TransientError and throttled.retry_after == 7
    soap12 = soap_body(
        "<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code>"
        "<soap:Reason><soap:Text>Invalid access key</soap:Text></soap:Reason></soap:Fault>"
    )
    assert isinstance(soap.classify(httpx.Response(500, content=soap12.encode())), AuthError)


def test_a_5xx_without_a_fault_is_retried(fake: FakeYuki):
    fake.reply(
        "GetGLAccountScheme",
        httpx.Response(503, content=b"<html>Service Unavailable</html>"),
        httpx.ReadTimeout("slow"),
        ok("GetGLAccountScheme", GL_SCHEME),
    )

    assert len(make_client(fake).gl_account_scheme(ADMIN)) == 2
    assert fake.operations == ["Authenticate", "GetGLAccountScheme", "GetGLAccountScheme", "GetGLAccountScheme"]


# ---------------------------------------------------------------------------------------------
# Sessions and on_call


def test_the_session_is_cached_and_shared_between_clients(fake: FakeYuki):
    fake.reply("GetGLAccountScheme", *[ok("GetGLAccountScheme", GL_SCHEME) for _ in range(3)])
    cache = MemorySessionCache()

    client = make_client(fake, session_cache=cache)
    client.gl_account_scheme(ADMIN)
    client.gl_account_scheme(ADMIN)
    make_client(fake, session_cache=cache).gl_account_scheme(ADMIN)

    assert fake.operations.count("Authenticate") == 1
    assert cache.get() == "session-1"
    assert {dict(params_of(r))["sessionID"] for r in fake.requests[1:]} == {"session-1"}


def test_a_stale_session_is_reauthenticated_once_and_the_call_retried(fake: FakeYuki):
    cache = MemorySessionCache()
    cache.set("expired-session")
    fake.reply("GetGLAccountScheme", fault("Invalid session"), ok("GetGLAccountScheme", GL_SCHEME))

    assert len(make_client(fake, session_cache=cache).gl_account_scheme(ADMIN)) == 2

    assert fake.operations == ["GetGLAccountScheme", "Authenticate", "GetGLAccountScheme"]
    assert dict(fake.params(0))["sessionID"] == "expired-session"
    assert dict(fake.params(2))["sessionID"] == "session-1"
    assert cache.get() == "session-1"


def test_a_session_stale_twice_gives_up_after_one_reauthentication(fake: FakeYuki):
    cache = MemorySessionCache()
    cache.set("expired-session")
    fake.reply("GetGLAccountScheme", fault("Invalid session"), fault("Invalid session"))

    with pytest.raises(StaleSession):
        make_client(fake, session_cache=cache).gl_account_scheme(ADMIN)
    assert fake.operations == ["GetGLAccountScheme", "Authenticate", "GetGLAccountScheme"]


def test_a_fresh_session_found_stale_is_not_reauthenticated_again(fake: FakeYuki):
    fake.reply("GetGLAccountScheme", fault("Session expired"))

    with pytest.raises(StaleSession):
        make_client(fake).gl_account_scheme(ADMIN)
    assert fake.operations == ["Authenticate", "GetGLAccountScheme"]


def test_on_call_is_called_once_per_http_request_with_the_operation(fake: FakeYuki):
    calls: list[str] = []
    cache = MemorySessionCache()
    cache.set("expired-session")
    fake.reply(
        "GetGLAccountScheme",
        fault("Invalid session"),
        httpx.Response(502, content=b"bad gateway"),
        ok("GetGLAccountScheme", GL_SCHEME),
    )
    fake.reply("Administrations", ok("Administrations", ADMINISTRATIONS))

    client = make_client(fake, session_cache=cache, on_call=calls.append)
    client.gl_account_scheme(ADMIN)
    client.administrations()

    assert calls == fake.operations
    assert calls == [
        "GetGLAccountScheme",
        "Authenticate",
        "GetGLAccountScheme",
        "GetGLAccountScheme",
        "Administrations",
    ]


def test_on_call_raising_quota_exceeded_stops_before_any_request(fake: FakeYuki):
    calls: list[str] = []

    def budget(operation: str) -> None:
        calls.append(operation)
        raise QuotaExceeded("Our daily budget for this domain is spent.")

    with pytest.raises(QuotaExceeded, match="budget") as caught:
        make_client(fake, on_call=budget).administrations()

    assert fake.requests == [] and calls == ["Authenticate"]  # not retried either
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


# ---------------------------------------------------------------------------------------------
# ProcessSalesInvoices


def full_invoice(**changes: object) -> SalesInvoiceInput:
    fields: dict[str, object] = {
        "reference": "XX-1234",
        "subject": "Testfactuur - 1",
        "payment_method": "ElectronicTransfer",
        "payment_id": "1234-456",
        "process": True,
        "email_to_customer": False,
        "date": datetime.date(2012, 6, 22),
        "due_date": datetime.date(2012, 7, 22),
        "currency": "EUR",
        "remarks": "Bedankt <3 & tot ziens",
        "contact": SalesContact(
            code="1122",
            full_name="Apple Sales International",
            country_code="NL",
            city="Rotterdam",
            zipcode="1234 AA",
            address_line_1="Bergweg 25",
            email="ar@apple.example",
            vat_number="NL123456789B01",
            contact_type="Company",
        ),
        "lines": [
            SalesLine(
                description="Regel 1",
                quantity=Decimal("2"),
                unit_price=Decimal("14.88"),
                vat_percentage=Decimal("6.00"),
                vat_included=True,
                vat_type=2,
                gl_account_code="700000",
            ),
            SalesLine(
                description="Regel 2",
                quantity=Decimal("1.2500"),
                unit_price=Decimal("-5.5"),
                vat_percentage=Decimal("21"),
                vat_included=False,
                vat_type=1,
            ),
        ],
    }
    fields.update(changes)
    return SalesInvoiceInput(**fields)  # type: ignore[arg-type]


def names(el: Element) -> list[str]:
    return [child.tag.removeprefix("{" + SALES_NS + "}") for child in el]


def is_subsequence(sub: list[str], full: list[str]) -> bool:
    remaining = iter(full)
    return all(name in remaining for name in sub)


def assert_in_xsd_order(root: Element) -> None:
    """Every element of the document sits in its XSD sequence's order, in the sales namespace."""
    sequences = {
        "SalesInvoices": ["SalesInvoice"],
        "SalesInvoice": XSD_SALES_INVOICE,
        "Contact": XSD_CONTACT,
        "InvoiceLines": ["InvoiceLine"],
        "InvoiceLine": XSD_INVOICE_LINE,
        "Product": XSD_PRODUCT,
    }
    for el in root.iter():
        assert el.tag.startswith("{" + SALES_NS + "}"), el.tag
        children = names(el)
        if not children:
            continue
        name = el.tag.removeprefix("{" + SALES_NS + "}")
        assert name in sequences, f"unexpected container {name}"
        if name in ("SalesInvoices", "InvoiceLines"):
            assert set(children) == set(sequences[name])
        else:
            assert len(set(children)) == len(children), f"repeated element in {name}"
            assert is_subsequence(children, sequences[name]), f"{name}: {children} out of XSD order"


def test_the_sales_invoices_document_follows_the_xsd_order_exactly():
    root = SafeET.fromstring(sales_invoices_document([full_invoice(), full_invoice(reference=None)]))

    assert root.tag == "{" + SALES_NS + "}SalesInvoices"
    assert_in_xsd_order(root)
    first, second = list(root)
    assert names(first) == [
        "Reference",
        "Subject",
        "PaymentMethod",
        "PaymentID",
        "Process",
        "EmailToCustomer",
        "Date",
        "DueDate",
        "Currency",
        "Remarks",
        "Contact",
        "InvoiceLines",
    ]
    assert names(second)[0] == "Subject"  # no Reference: Yuki numbers the invoice
    contact = first.find("{*}Contact")
    assert contact is not None
    assert names(contact) == [
        "ContactCode",
        "FullName",
        "CountryCode",
        "City",
        "Zipcode",
        "AddressLine_1",
        "EmailAddress",
        "VATNumber",
        "ContactType",
    ]
    line_one, line_two = first.findall("{*}InvoiceLines/{*}InvoiceLine")
    assert names(line_one) == ["Description", "ProductQuantity", "Product"]
    product = line_one.find("{*}Product")
    assert product is not None
    assert names(product) == ["Description", "SalesPrice", "VATPercentage", "VATIncluded", "VATType", "GLAccountCode"]
    product_two = line_two.find("{*}Product")
    assert product_two is not None and "GLAccountCode" not in names(product_two)

    values = {name: first.findtext("{*}" + name) for name in names(first)[:10]}
    assert values == {
        "Reference": "XX-1234",
        "Subject": "Testfactuur - 1",
        "PaymentMethod": "ElectronicTransfer",
        "PaymentID": "1234-456",
        "Process": "true",
        "EmailToCustomer": "false",
        "Date": "2012-06-22",
        "DueDate": "2012-07-22",
        "Currency": "EUR",
        "Remarks": "Bedankt <3 & tot ziens",
    }
    assert [product.findtext("{*}" + name) for name in names(product)] == [
        "Regel 1",
        "14.88",
        "6.00",
        "true",
        "2",
        "700000",
    ]
    assert line_one.findtext("{*}ProductQuantity") == "2"
    assert line_two.findtext("{*}ProductQuantity") == "1.2500"
    assert product_two.findtext("{*}SalesPrice") == "-5.5"


def test_the_minimal_sales_invoice_has_only_the_required_elements():
    invoice = SalesInvoiceInput(
        subject="Minimaal",
        date=datetime.date(2024, 1, 31),
        contact=SalesContact(code="C1"),
        lines=[
            SalesLine(
                description="Advies",
                quantity=Decimal("1"),
                unit_price=Decimal("100.00"),
                vat_percentage=Decimal("21"),
                vat_included=False,
                vat_type=1,
            )
        ],
    )
    root = SafeET.fromstring(sales_invoices_document([invoice]))

    assert_in_xsd_order(root)
    (sales_invoice,) = list(root)
    assert names(sales_invoice) == ["Subject", "Process", "EmailToCustomer", "Date", "Contact", "InvoiceLines"]


@pytest.mark.parametrize(
    ("line_changes", "message"),
    [
        ({"unit_price": Decimal("14.885")}, "unit price"),
        ({"quantity": Decimal("1.00001")}, "quantity"),
        ({"unit_price": Decimal("12345678901")}, "10 integer digits"),
        ({"description": " "}, "description"),
    ],
)
def test_an_invoice_yuki_would_reject_is_refused_before_sending(
    fake: FakeYuki, line_changes: dict[str, object], message: str
):
    fields: dict[str, object] = {
        "description": "Regel",
        "quantity": Decimal("1"),
        "unit_price": Decimal("10.00"),
        "vat_percentage": Decimal("21"),
        "vat_included": False,
        "vat_type": 1,
        **line_changes,
    }
    invoice = full_invoice(lines=[SalesLine(**fields)])  # type: ignore[arg-type]

    with pytest.raises(PermanentError, match=message):
        make_client(fake).process_sales_invoices(ADMIN, [invoice])
    assert fake.requests == []


def sales_result(inner: str) -> httpx.Response:
    return ok("ProcessSalesInvoices", inner)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(SALES_RESPONSE, id="child-xml"),
        pytest.param(
            ('<?xml version="1.0" encoding="utf-16"?>\n' + SALES_RESPONSE)
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;"),
            id="escaped-text",
        ),
    ],
)
def test_process_sales_invoices_sends_child_xml_and_reads_both_answer_forms(fake: FakeYuki, answer: str):
    fake.reply("ProcessSalesInvoices", sales_result(answer))

    results = make_client(fake).process_sales_invoices(ADMIN, [full_invoice(), full_invoice(reference=None)])

    assert results == [
        SalesInvoiceResult(succeeded=True, reference="VF-0001", subject="Testfactuur - 1", message=None),
        SalesInvoiceResult(
            succeeded=False,
            reference=None,
            subject="Testfactuur - 2",
            message="No tax code for VATPercentage 21 & VATType 9",
        ),
    ]
    request = fake.requests[-1]
    assert str(request.url) == "http://127.0.0.1:9/be/ws/Sales.asmx"
    assert request.headers["SOAPAction"] == '"http://www.theyukicompany.com/ProcessSalesInvoices"'
    assert [name for name, _ in params_of(request)] == ["sessionId", "administrationId", "xmlDoc"]
    assert dict(params_of(request))["administrationId"] == ADMIN
    assert request.content.count(b"<?xml") == 1 and b"&lt;SalesInvoices" not in request.content
    xml_doc = operation_element(request)[2]
    (document,) = list(xml_doc)  # child XML, not escaped text
    assert document.tag == "{" + SALES_NS + "}SalesInvoices" and not (xml_doc.text or "").strip()
    assert_in_xsd_order(document)


def test_process_sales_invoices_is_sent_once_even_after_a_timeout(fake: FakeYuki):
    fake.reply("ProcessSalesInvoices", httpx.ReadTimeout("slow"), sales_result(SALES_RESPONSE))

    with pytest.raises(TransientError, match="in time"):
        make_client(fake).process_sales_invoices(ADMIN, [full_invoice()])
    assert fake.operations == ["Authenticate", "ProcessSalesInvoices"]


def test_process_sales_invoices_reauthenticates_on_a_stale_session(fake: FakeYuki):
    cache = MemorySessionCache()
    cache.set("expired-session")
    fake.reply("ProcessSalesInvoices", fault("Invalid session"), sales_result(SALES_RESPONSE))

    results = make_client(fake, session_cache=cache).process_sales_invoices(ADMIN, [full_invoice()])

    assert [r.succeeded for r in results] == [True, False]
    assert fake.operations == ["ProcessSalesInvoices", "Authenticate", "ProcessSalesInvoices"]
    assert dict(fake.params())["sessionId"] == "session-1"


def test_a_sales_answer_without_a_document_is_an_error(fake: FakeYuki):
    fake.reply("ProcessSalesInvoices", sales_result(""))

    with pytest.raises(PermanentError, match="no result document"):
        make_client(fake).process_sales_invoices(ADMIN, [full_invoice()])


def test_embedded_document_refuses_unsafe_escaped_text():
    result = SafeET.fromstring(
        '<R>&lt;!DOCTYPE d [&lt;!ENTITY e SYSTEM "file:///etc/passwd"&gt;]&gt;&lt;d&gt;&amp;e;&lt;/d&gt;</R>'
    )
    with pytest.raises(PermanentError, match="unsafe XML"):
        soap.embedded_document(result)


def test_client_rejects_a_missing_access_key():
    with pytest.raises(ValueError, match="access key"):
        YukiClient(BASE_URL, "", policy=RetryPolicy(), timeout=1)
