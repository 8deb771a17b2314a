"""SOAP 1.1 and 1.2 as ASP.NET web services (.asmx) speak them: envelopes in, results and faults out.

Requests are parsed with defusedxml (no DTDs, no entity expansion), with any namespace prefixes;
parameters must be in the Yuki namespace, as ASMX ignores others. A SOAP 1.1 call is dispatched
on its `SOAPAction` header (quoted or not), a SOAP 1.2 call on the first element in the Body.
Faults answer HTTP 500, `soap:Client` when the request could not be read, `soap:Server` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from sandboxes.kit.web import Request, Response
from sandboxes.yuki.markup import esc

YUKI = "http://www.theyukicompany.com/"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPES = {"1.1": "text/xml; charset=utf-8", "1.2": "application/soap+xml; charset=utf-8"}
UNABLE_TO_PROCESS = "Server was unable to process request. ---> "
UNABLE_TO_READ = "Server was unable to read request. ---> "
MAX_REQUEST = 3 * 1024 * 1024  # [U] about 3 MB (IIS/ASP.NET maxRequestLength)
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_HEADERS = [("Cache-Control", "private, max-age=0"), ("X-AspNet-Version", "4.0.30319")]


class SoapFault(Exception):
    """A fault to answer with; `client` faults are the caller's (soap:Client / soap:Sender)."""

    def __init__(self, message: str, *, client: bool = False) -> None:
        super().__init__(message)
        self.message, self.client = message, client


def server_fault(reason: str) -> SoapFault:
    """What ASMX answers when the web method throws: `Server was unable to process request. ---> …`."""
    return SoapFault(f"{UNABLE_TO_PROCESS}{reason}")


def read_fault(reason: str) -> SoapFault:
    """What ASMX answers when it cannot deserialise the request."""
    return SoapFault(f"{UNABLE_TO_READ}There is an error in XML document. ---> {reason}", client=True)


class UnsupportedMediaType(Exception):
    pass


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def namespace_of(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def elements(parent: Element) -> list[Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def version_of(request: Request) -> str:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "text/xml":
        return "1.1"
    if content_type == "application/soap+xml":
        return "1.2"
    raise UnsupportedMediaType(content_type)


@dataclass(frozen=True, slots=True)
class Envelope:
    version: str
    operation: str
    body: Element  # the operation element

    def child(self, name: str) -> Element | None:
        """The parameter element `name` (exact case, Yuki namespace), if sent."""
        return self.body.find(f"{{{YUKI}}}{name}")

    def text(self, name: str) -> str | None:
        element = self.child(name)
        return None if element is None else (element.text or "")


def parse(request: Request, version: str) -> Envelope:
    if len(request.body) > MAX_REQUEST:
        raise SoapFault("Maximum request length exceeded.")
    try:
        root = SafeTree.fromstring(request.body)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise SoapFault(f"{UNABLE_TO_READ}{error}", client=True) from error
    envelope_ns = SOAP11 if version == "1.1" else SOAP12
    if local_name(root.tag) != "Envelope" or namespace_of(root.tag) not in (SOAP11, SOAP12):
        raise SoapFault(f"{UNABLE_TO_READ}The root element is not a SOAP envelope.", client=True)
    if namespace_of(root.tag) != envelope_ns:
        raise SoapFault("Possible SOAP version mismatch: Envelope namespace was unexpected.", client=True)
    body = root.find(f"{{{envelope_ns}}}Body")
    children = elements(body) if body is not None else []
    if not children:
        raise SoapFault(f"{UNABLE_TO_READ}The SOAP Body is missing or empty.", client=True)
    operation = children[0]
    name = local_name(operation.tag)
    if version == "1.1":
        action = request.headers.get("soapaction", "").strip().strip('"')
        if not action.startswith(YUKI) or action[len(YUKI) :] != name:
            raise SoapFault(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.", client=True)
    if namespace_of(operation.tag) != YUKI:
        raise SoapFault(
            f"{UNABLE_TO_READ}<{name} xmlns='{namespace_of(operation.tag)}'> was not expected.", client=True
        )
    return Envelope(version, name, operation)


def unknown_operation(version: str, name: str) -> SoapFault:
    if version == "1.1":
        return SoapFault(f"Server did not recognize the value of HTTP Header SOAPAction: {YUKI}{name}.", client=True)
    return SoapFault(
        "Unable to handle request without a valid action parameter. Please supply a valid soap action.", client=True
    )


def _document(version: str, body: str) -> bytes:
    namespace = SOAP11 if version == "1.1" else SOAP12
    return (
        f'{_DECLARATION}<soap:Envelope xmlns:soap="{namespace}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>{body}</soap:Body></soap:Envelope>'
    ).encode()


def result_response(version: str, operation: str, result: str | None) -> Response:
    """`<OpResponse xmlns="…"><OpResult>…</OpResult></OpResponse>`; an empty response for void methods."""
    if result is None:
        body = f'<{operation}Response xmlns="{YUKI}" />'
    else:
        body = (
            f'<{operation}Response xmlns="{YUKI}"><{operation}Result>{result}</{operation}Result></{operation}Response>'
        )
    return Response(200, _document(version, body), [("Content-Type", CONTENT_TYPES[version]), *_HEADERS])


def fault_response(version: str, fault: SoapFault) -> Response:
    message = esc(fault.message)
    if version == "1.1":
        code = "soap:Client" if fault.client else "soap:Server"
        body = f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{message}</faultstring><detail /></soap:Fault>"
    else:
        code = "soap:Sender" if fault.client else "soap:Receiver"
        body = (
            f"<soap:Fault><soap:Code><soap:Value>{code}</soap:Value></soap:Code><soap:Reason>"
            f'<soap:Text xml:lang="en">{message}</soap:Text></soap:Reason><soap:Detail /></soap:Fault>'
        )
    return Response(500, _document(version, body), [("Content-Type", CONTENT_TYPES[version]), *_HEADERS])
