"""Yuki's SOAP 1.1 wire format: envelopes built explicitly, responses parsed safely and by local
name only, and SOAP faults mapped onto the framework's failure classes.

Yuki's answers are inconsistent (attributes or elements, `xmlns=""` resets, lower-camel typed
results, the misspelled `descripton`, US-locale dates in one place), so every reader here looks
names up case-insensitively, treats empty elements as None and always returns lists."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, fromstring
from xml.parsers import expat
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import httpx
from defusedxml import DefusedXmlException, DTDForbidden

from integrations import errors
from integrations.errors import AuthError, PermanentError, ProviderError, TransientError
from integrations.http import classify_status, request_id_of

YUKI_NS = "http://www.theyukicompany.com/"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
CONTENT_TYPE = "text/xml; charset=utf-8"
# Yuki's daily quota is counted per domain and is assumed to reset at midnight, Dutch time.
QUOTA_ZONE = ZoneInfo("Europe/Amsterdam")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>\s*")
# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_US_DATETIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y")


# ---------------------------------------------------------------------------------------------
# Errors that only Yuki has


class StaleSession(TransientError):
    """Yuki no longer knows the session ID: the client authenticates again, once, and retries."""


class QuotaExceeded(errors.QuotaExceeded):
    """The domain's daily call limit is spent: nothing will succeed before the next midnight in
    Amsterdam, so `retry_after` is the number of seconds until then."""

    def __init__(
        self,
        message: str = "Yuki's daily call limit for this domain is reached.",
        *,
        retry_after: float | None = None,
        now: datetime.datetime | None = None,
        **kwargs: object,
    ) -> None:
        if retry_after is None:
            retry_after = seconds_until_quota_reset(now)
        super().__init__(message, retry_after=retry_after, **kwargs)


def seconds_until_quota_reset(now: datetime.datetime | None = None) -> float:
    """Seconds from `now` (aware; default: the current time) to the next midnight in Amsterdam."""
    current = (now or datetime.datetime.now(tz=datetime.UTC)).astimezone(QUOTA_ZONE)
    midnight = datetime.datetime.combine(current.date() + datetime.timedelta(days=1), datetime.time(), QUOTA_ZONE)
    # Subtract in UTC: two datetimes sharing a zone subtract as wall-clock times, wrong on DST days.
    return max((midnight.astimezone(datetime.UTC) - current.astimezone(datetime.UTC)).total_seconds(), 0.0)


# Fault wording is not verbatim-documented, so faults are classed by what they mean, not by their
# exact text: these fragments cover the English texts integrators reported, ASP.NET's and SQL
# Server's own wording, and plausible Dutch counterparts (matched case-insensitively).
_QUOTA_WORDS = (
    "daily limit",
    "day limit",
    "limit per day",
    "calls per day",
    "quota",
    "maximum number of calls",
    "maximum number of web service calls",
    "dagelijkse limiet",
    "daglimiet",
    "limiet per dag",
)
_AUTH_WORDS = (
    "access key",
    "accesskey",
    "toegangssleutel",
    "not authorized",
    "not authorised",
    "unauthorized",
    "unauthorised",
    "access denied",
    "no access",
    "no rights",
    "insufficient rights",
    "geen toegang",
    "geen rechten",
    "no permission",
    "web service rights",
    "webservice rights",
)
_SESSION_WORDS = ("session", "sessie")
_STALE_WORDS = (
    "invalid",
    "expired",
    "unknown",
    "not found",
    "not valid",
    "no longer",
    "timed out",
    "does not exist",
    "ongeldig",
    "verlopen",
    "onbekend",
    "niet geldig",
)
# Faults a retry does fix: the server or its database was busy, slow or briefly unavailable.
_TRANSIENT_WORDS = (
    "timeout",
    "time-out",
    "timed out",
    "time out",
    "deadlock",
    "try again",
    "temporarily",
    "unavailable",
    "too busy",
    "server busy",
    "connection was closed",
    "forcibly closed",
    "transport-level error",
    "network-related",
    "connection pool",
    "thread was being aborted",
    "probeer het later",
    "tijdelijk",
)
# Faults a retry does not fix: our request was wrong, or the administration cannot do what we ask.
# Only these are permanent; a fault we do not recognise is a server error and is retried later.
_PERMANENT_WORDS = (
    "value cannot be null",
    "parameter name",
    "is not a valid value",
    "instance validation error",
    "there is an error in xml document",
    "unable to read request",
    "was not recognized as a valid",
    "input string was not in a correct format",
    "did not recognize the value of http header soapaction",
    "maximum request length exceeded",
    "soap version mismatch",
    "no tax code",
    "vatpercentage",
    "domain is inactive",
    "inactive domain",
    "domain is not active",
    "administration not found",
    "administration is inactive",
    "bundle",
    "not available in your subscription",
    "add-on",
    "function is not available",
    "sales price",
    "decimal places",
    "petty cash",
    "schema validation",
    "is niet actief",
)


def _mentions(text: str, words: Iterable[str]) -> bool:
    return any(word in text for word in words)


def map_fault(
    faultstring: str, *, faultcode: str = "", operation: str = "", request_id: str = "", status: int | None = None
) -> ProviderError:
    """Map a SOAP fault to the error to raise, by meaning: the quota, the key, a forgotten session,
    a known permanent refusal (a `soap:Client` fault: our request could not be read), and
    everything else (timeouts, deadlocks, generic server errors) as transient."""
    text = " ".join(faultstring.split()) or faultcode or "no fault text"
    lowered = text.lower()
    where = f" ({operation})" if operation else ""
    error: type[ProviderError]
    if _mentions(lowered, _QUOTA_WORDS):
        return QuotaExceeded(f"Yuki's daily call limit is reached{where}: {text}", request_id=request_id, status=status)
    if _mentions(lowered, _AUTH_WORDS):
        error, message = AuthError, f"Yuki refused the access key{where}: {text}"
    elif _mentions(lowered, _SESSION_WORDS) and _mentions(lowered, _STALE_WORDS):
        error, message = StaleSession, f"Yuki no longer accepts the session{where}: {text}"
    elif _mentions(lowered, _TRANSIENT_WORDS):
        error, message = TransientError, f"Yuki had a temporary server fault{where}: {text}"
    elif faultcode.rsplit(":", 1)[-1].lower() in ("client", "sender") or _mentions(lowered, _PERMANENT_WORDS):
        error, message = PermanentError, f"Yuki refused the call{where}: {text}"
    else:  # a server error we do not know: Yuki's side, worth another try later
        error, message = TransientError, f"Yuki had a server fault{where}: {text}"
    return error(message, request_id=request_id, status=status)


# ---------------------------------------------------------------------------------------------
# Building requests

ParamValue = str | int | bool | Decimal | datetime.date | None


@dataclass(frozen=True)
class XmlFragment:
    """Well-formed XML embedded as child elements of a parameter (an `s:any` parameter)."""

    xml: str


Param = tuple[str, "ParamValue | XmlFragment"]


def xml_fragment(document: str | bytes) -> XmlFragment:
    """An XML document ready to embed: its `<?xml?>` declaration stripped, well-formedness checked."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    text = _DECLARATION.sub("", text, count=1).strip()
    parse_xml(text.encode("utf-8"))  # refuses a malformed or unsafe document before it is sent
    return XmlFragment(text)


def escape_text(value: str) -> str:
    """XML-escape a text value; characters XML 1.0 cannot carry are dropped."""
    cleaned = _INVALID_XML_CHARS.sub("", value)
    return escape(cleaned, {"\r": "&#13;"})


def format_value(value: ParamValue) -> str:
    if isinstance(value, bool):  # before int: a bool is an int
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(QUOTA_ZONE).replace(tzinfo=None)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot send the non-finite decimal {value!r} to Yuki")
        return format(value, "f")
    if value is None:
        return ""
    return str(value)


def element(name: str, value: ParamValue | XmlFragment) -> str:
    """`<name>value</name>`, escaped; a fragment is embedded as child XML."""
    if not _NAME.match(name):
        raise ValueError(f"not an XML element name: {name!r}")
    inner = value.xml if isinstance(value, XmlFragment) else escape_text(format_value(value))
    return f"<{name}>{inner}</{name}>" if inner else f"<{name}/>"


def envelope(operation: str, params: Sequence[Param]) -> bytes:
    """A SOAP 1.1 document/literal request: parameters are children of the operation element, in
    Yuki's namespace and in the given order. A None value leaves the parameter out."""
    if not _NAME.match(operation):
        raise ValueError(f"not an operation name: {operation!r}")
    body = "".join(element(name, value) for name, value in params if value is not None)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV_NS}" xmlns:xsi="{XSI_NS}" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<soap:Body><{operation} xmlns="{YUKI_NS}">{body}</{operation}></soap:Body></soap:Envelope>'
    ).encode()


def soap_action(operation: str) -> str:
    return f'"{YUKI_NS}{operation}"'


def headers(operation: str) -> dict[str, str]:
    return {"Content-Type": CONTENT_TYPE, "SOAPAction": soap_action(operation)}


# ---------------------------------------------------------------------------------------------
# Parsing responses


def parse_xml(content: bytes | str, *, status: int | None = None) -> Element:
    """Parse untrusted XML: DTDs, entities and external references are refused, never expanded.

    The prolog is checked first (a DTD, and with it any entity declaration, can only come before
    the root element), then the document is parsed by ElementTree's C parser: defusedxml's
    parser does the same refusals with a Python callback per element, twice as slow on
    Yuki's multi-megabyte ledgers."""
    try:
        _refuse_a_dtd(content)
        # Safe once no DTD is there: without one, no entity can be declared or fetched.
        return fromstring(content)  # noqa: S314
    except DefusedXmlException as exc:
        raise PermanentError(
            f"Yuki's answer was refused as unsafe XML ({exc.__class__.__name__}).", status=status
        ) from exc
    except (ParseError, UnicodeError, ValueError) as exc:
        raise TransientError("Yuki sent a response that is not well-formed XML.", status=status) from exc


class _RootReached(Exception):
    """Stops the prolog check at the root element: no DTD can follow."""


def _refuse_a_dtd(content: bytes | str) -> None:
    def refuse_doctype(name: str, system_id: str | None, public_id: str | None, internal: bool) -> None:
        raise DTDForbidden(name, system_id, public_id)

    def stop(*_args: object) -> None:
        raise _RootReached

    prolog = expat.ParserCreate()
    prolog.StartDoctypeDeclHandler = refuse_doctype
    prolog.StartElementHandler = stop
    try:
        prolog.Parse(content, True)
    except _RootReached:
        return
    except expat.ExpatError as exc:
        raise ParseError(str(exc)) from exc


def parse_envelope(content: bytes, *, status: int | None = None) -> Element:
    """The `Body` of a SOAP envelope (1.1 or 1.2)."""
    if not content.strip():
        raise TransientError("Yuki sent an empty response.", status=status)
    root = parse_xml(content, status=status)
    body = child(root, "Body") if local_name(root) == "envelope" else None
    if body is None:
        raise TransientError("Yuki sent XML that is not a SOAP envelope.", status=status)
    return body


def fault_error(
    body: Element, *, operation: str = "", request_id: str = "", status: int | None = None
) -> ProviderError | None:
    """The mapped error if the body holds a SOAP fault (whatever the HTTP status), else None."""
    fault = child(body, "Fault")
    if fault is None:
        return None
    # SOAP 1.1: faultcode/faultstring; SOAP 1.2: Code/Value and Reason/Text.
    faultstring = text(fault, "faultstring") or _nested_text(fault, "Reason", "Text") or ""
    faultcode = text(fault, "faultcode") or _nested_text(fault, "Code", "Value") or ""
    return map_fault(faultstring, faultcode=faultcode, operation=operation, request_id=request_id, status=status)


def classify(response: httpx.Response) -> ProviderError:
    """An error response mapped by its body first (Yuki's faults are HTTP 500 with a SOAP fault),
    then by its status (a proxy's 502/503 or a 429 is transient)."""
    request_id = request_id_of(response)
    try:
        body = parse_envelope(response.content, status=response.status_code)
    except PermanentError as exc:  # unsafe XML: never retried
        return exc
    except TransientError:
        body = None
    if body is not None:
        fault = fault_error(body, request_id=request_id, status=response.status_code)
        if fault is not None:
            return fault
    return classify_status(response, f"Yuki answered HTTP {response.status_code}.")


def answer_body(response: httpx.Response) -> Element:
    """The `parse` hook of Yuki's ResilientClient: the SOAP Body of a good answer, or the error a
    fault, an unsafe or malformed answer, or an error status means."""
    status = response.status_code
    request_id = request_id_of(response)
    operation = operation_of(response.request)
    if status < 400 and not response.is_success:
        raise PermanentError(f"Yuki answered HTTP {status} to {operation}.", request_id=request_id, status=status)
    try:
        body = parse_envelope(response.content, status=status)  # unsafe XML: PermanentError
    except TransientError:
        if status >= 400:  # not a SOAP answer at all, e.g. a proxy's 503 page
            raise classify(response) from None
        raise
    fault = fault_error(body, operation=operation, request_id=request_id, status=status)
    if fault is not None:
        raise fault
    if status >= 400:
        raise classify(response)
    return body


def operation_of(request: httpx.Request) -> str:
    """The operation a request calls, read back from its SOAPAction header."""
    action: str = request.headers.get("SOAPAction", "")
    return action.strip('"').removeprefix(YUKI_NS)


def operation_result(body: Element, operation: str) -> Element:
    """The `<OperationResult>` inside `<OperationResponse>`; an empty element when Yuki sent none
    (a void result or a nil result: both mean nothing)."""
    response = child(body, f"{operation}Response")
    if response is None:
        raise PermanentError(f"Yuki's answer to {operation} has no {operation}Response.")
    result = child(response, f"{operation}Result")
    return result if result is not None else Element(f"{operation}Result")


def embedded_document(result: Element) -> Element | None:
    """An XML document returned inside a result, either as child XML or as escaped text."""
    elements = list(result)
    if elements:
        return elements[0]
    raw = (result.text or "").strip()
    if not raw:
        return None
    if not raw.startswith("<"):
        raise PermanentError("Yuki's result is text, not an XML document.")
    # The escaped document often declares utf-16 although it arrives as text: drop the declaration.
    return parse_xml(_DECLARATION.sub("", raw, count=1).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Namespace-agnostic, case-insensitive readers


def local_name(el: Element) -> str:
    """The tag without its namespace, lower-cased (the parser keeps no comments or PIs)."""
    return _local(el.tag)


@functools.cache
def _local(name: str) -> str:
    # Yuki's answers repeat a few dozen names over hundreds of thousands of elements.
    return name.rsplit("}", 1)[-1].lower()


def _wanted(names: Iterable[str]) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


def child(el: Element, *names: str) -> Element | None:
    """The first direct child with one of the local names."""
    wanted = _wanted(names)
    return next((c for c in el if _local(c.tag) in wanted), None)


def find_all(el: Element, *names: str) -> list[Element]:
    """Every descendant with one of the local names, not descending into a match: always a list,
    also when Yuki sends a single item."""
    wanted = _wanted(names)
    found: list[Element] = []

    def walk(node: Element) -> None:
        for c in node:
            if _local(c.tag) in wanted:
                found.append(c)
            else:
                walk(c)

    walk(el)
    return found


def attribute(el: Element, *names: str) -> str | None:
    wanted = _wanted(names)
    for key, value in el.items():
        if _local(key) in wanted:
            return value.strip() or None
    return None


def own_text(el: Element) -> str | None:
    """The element's own text; empty, whitespace or `xsi:nil` read as None."""
    # keys(), not attrib: reading attrib gives each of the many attribute-less elements a dict.
    if el.keys() and (attribute(el, "nil") or "").lower() == "true":
        return None
    return (el.text or "").strip() or None


class Values:
    """An element's values by any of their names, for reading many of them: its attributes and
    direct children are indexed once by lower-cased local name."""

    __slots__ = ("_attributes", "_children")

    def __init__(self, el: Element) -> None:
        self._attributes: dict[str, str | None] = {}
        for key, value in el.items():
            self._attributes.setdefault(_local(key), value.strip() or None)
        self._children: dict[str, Element] = {}
        for c in el:
            self._children.setdefault(_local(c.tag), c)

    def __call__(self, *names: str) -> str | None:
        """The first name found: an attribute, or the text of the first child of that name. Empty
        elements, whitespace and `xsi:nil` read as None."""
        for name in names:
            key = name.lower()
            value = self._attributes.get(key)
            if value is not None:
                return value
            found = self._children.get(key)
            if found is not None:
                value = own_text(found)
                if value is not None:
                    return value
        return None


def text(el: Element, *names: str) -> str | None:
    """A value by any of its names: an attribute of `el`, or the text of a direct child. Empty
    elements, whitespace and `xsi:nil` read as None."""
    return Values(el)(*names)


def _nested_text(el: Element, outer: str, inner: str) -> str | None:
    found = child(el, outer)
    return text(found, inner) if found is not None else None


def required(value: str | None, what: str) -> str:
    if value is None:
        raise PermanentError(f"Yuki's answer lacks {what}.")
    return value


# ---------------------------------------------------------------------------------------------
# Values


def to_decimal(value: str | None, what: str = "an amount") -> Decimal | None:
    """A decimal with a dot and no thousands separator; anything else is refused, never guessed."""
    if value is None:
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation as exc:
        raise PermanentError(f"Yuki sent {what} that is not a decimal: {value!r}.") from exc
    if not number.is_finite():
        raise PermanentError(f"Yuki sent {what} that is not a finite decimal: {value!r}.")
    return number


def to_datetime(value: str | None, what: str = "a date") -> datetime.datetime | None:
    """ISO dates and date-times (fractional seconds of any length) and the US-locale
    `4/10/2019 3:50:52 PM` of contacts. Naive unless Yuki gave an offset."""
    if value is None:
        return None
    raw = value.strip()
    try:
        return datetime.datetime.fromisoformat(raw)
    except ValueError:
        pass
    for fmt in _US_DATETIME_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise PermanentError(f"Yuki sent {what} in an unknown format: {value!r}.")


def to_date(value: str | None, what: str = "a date") -> datetime.date | None:
    parsed = to_datetime(value, what)
    return parsed.date() if parsed is not None else None


def to_bool(value: str | None, what: str = "a flag") -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise PermanentError(f"Yuki sent {what} that is not a boolean: {value!r}.")


def to_int(value: str | None, what: str = "a number") -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError as exc:
        raise PermanentError(f"Yuki sent {what} that is not an integer: {value!r}.") from exc
