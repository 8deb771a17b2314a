"""The guard that keeps webhooks off our own network: an endpoint must be an https URL whose host
resolves only to public addresses, checked when it is saved and again right before each POST
(DNS can change in between), and the POST goes to the address that was checked.

With WEBHOOK_ALLOW_PRIVATE_ADDRESSES (development, tests) plain http and private addresses pass,
so a receiver on 127.0.0.1 works.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class VettedURL:
    """A URL whose host was resolved and found acceptable, with the addresses to connect to
    (IPv4 first: a host's IPv6 address is more often unreachable from a server)."""

    url: str
    host: str
    addresses: tuple[IPAddress, ...]

    def pinned_url(self, address: IPAddress) -> str:
        """The URL with its host replaced by a vetted address; send it with the original
        `Host` header and TLS server name, so a second DNS answer cannot redirect the POST."""
        parts = urlsplit(self.url)
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        return parts._replace(netloc=netloc).geturl()

    def host_header(self) -> str:
        port = urlsplit(self.url).port
        return f"{self.host}:{port}" if port else self.host


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(gettext("The address %(host)s cannot be found.") % {"host": host}) from exc
    # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def vet_url(url: str) -> VettedURL:
    """The URL and the address to send to, or a ValidationError that says why it is refused."""
    allow_private = bool(settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise ValidationError(gettext("The URL must start with https://."))
    host = parts.hostname
    if not host:
        raise ValidationError(gettext("The URL has no host name."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValidationError(gettext("The URL has an invalid port.")) from exc
    addresses = _resolve(host, port)
    if not addresses:
        raise ValidationError(gettext("The address %(host)s cannot be found.") % {"host": host})
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise ValidationError(
            gettext("%(host)s is a private, local or reserved address: webhooks only go to public servers.")
            % {"host": host}
        )
    unique = dict.fromkeys(sorted(addresses, key=lambda address: address.version))
    return VettedURL(url=url, host=host, addresses=tuple(unique))
