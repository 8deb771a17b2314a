"""The Cloudinary simulator driven through the official SDK (cloudinary.md): signed uploads, private
download links and their expiry, destroy, the Admin API's listing, delivery URLs and faults.

Every call goes over HTTP to a real socket on 127.0.0.1; the SDK reaches it through `upload_prefix`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import cloudinary
import cloudinary.api
import cloudinary.exceptions
import cloudinary.uploader
import cloudinary.utils
import httpx
import pytest

from sandboxes.cloudinary import API_KEY, API_SECRET, CLOUD_NAME, PREFIX, CloudinarySandbox, serve

PDF = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>\n3 0 obj << /Type /Page >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def sandbox() -> CloudinarySandbox:
    return CloudinarySandbox()


@pytest.fixture
def api_root(sandbox: CloudinarySandbox) -> Iterator[str]:
    """The sandbox served, and the SDK configured to reach it (and reset after)."""
    server, base_url = serve(sandbox)
    cloudinary.config(
        cloud_name=CLOUD_NAME, api_key=API_KEY, api_secret=API_SECRET, upload_prefix=f"{base_url}{PREFIX}"
    )
    yield f"{base_url}{PREFIX}"
    cloudinary.reset_config()
    server.shutdown()


def upload_invoice(public_id: str = "invoices/INV-2026-0001.pdf") -> dict[str, object]:
    result: dict[str, object] = cloudinary.uploader.upload(
        PDF, resource_type="raw", type="private", public_id=public_id
    )
    return result


def download_link(public_id: str = "invoices/INV-2026-0001.pdf", **options: object) -> str:
    url: str = cloudinary.utils.private_download_url(public_id, "", resource_type="raw", type="private", **options)
    return url


# --- uploads -------------------------------------------------------------------------------------------
def test_a_signed_private_upload_is_stored_and_answered_as_cloudinary_does(
    api_root: str, sandbox: CloudinarySandbox
) -> None:
    result = upload_invoice()

    assert result["public_id"] == "invoices/INV-2026-0001.pdf"
    assert (result["resource_type"], result["type"], result["bytes"]) == ("raw", "private", len(PDF))
    assert "format" not in result  # a raw asset keeps its extension in its public id
    assert str(result["secure_url"]).startswith(f"https://res.cloudinary.com/{CLOUD_NAME}/raw/private/v")
    assert cloudinary.utils.verify_api_response_signature(result["public_id"], result["version"], result["signature"])
    [asset] = sandbox.assets
    assert (asset.public_id, asset.content) == ("invoices/INV-2026-0001.pdf", PDF)


def test_a_pdf_uploaded_as_an_image_has_a_format_and_pages(api_root: str) -> None:
    result = cloudinary.uploader.upload(PDF, resource_type="image", type="private", public_id="invoices/INV-7")

    assert (result["format"], result["pages"], result["resource_type"]) == ("pdf", 2, "image")


def test_an_image_upload_that_is_no_image_is_refused(api_root: str) -> None:
    with pytest.raises(cloudinary.exceptions.BadRequest, match="Invalid image file"):
        cloudinary.uploader.upload(b"plain text", resource_type="image")


def test_an_upload_signed_with_another_secret_is_refused(api_root: str, sandbox: CloudinarySandbox) -> None:
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Invalid Signature"):
        cloudinary.uploader.upload(PDF, resource_type="raw", api_secret="forged-secret")
    assert sandbox.assets == []


def test_an_unknown_api_key_is_refused(api_root: str) -> None:
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired, match="Unknown API key"):
        cloudinary.uploader.upload(PDF, resource_type="raw", api_key="111111111111111")


def test_a_timestamp_older_than_an_hour_is_stale(api_root: str, sandbox: CloudinarySandbox) -> None:
    sandbox.clock.advance(3601)

    with pytest.raises(cloudinary.exceptions.BadRequest, match="Stale request"):
        upload_invoice()


def test_an_sha256_environment_takes_sha256_signatures_only(sandbox: CloudinarySandbox) -> None:
    strict = CloudinarySandbox(signature_algorithm="sha256")
    server, base_url = serve(strict)
    try:
        cloudinary.config(
            cloud_name=CLOUD_NAME, api_key=API_KEY, api_secret=API_SECRET, upload_prefix=f"{base_url}{PREFIX}"
        )
        with pytest.raises(cloudinary.exceptions.AuthorizationRequired):
            upload_invoice()
        result = cloudinary.uploader.upload(PDF, resource_type="raw", public_id="a.pdf", signature_algorithm="sha256")
        assert len(str(result["signature"])) == 64
    finally:
        cloudinary.reset_config()
        server.shutdown()


# --- private download links ----------------------------------------------------------------------------
def test_a_private_download_link_serves_the_pdf(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()

    response = httpx.get(download_link(attachment=True, expires_at=int(time.time()) + 600))

    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="INV-2026-0001.pdf"'
    assert [(d.public_id, d.status, d.size) for d in sandbox.downloads] == [
        ("invoices/INV-2026-0001.pdf", 200, len(PDF))
    ]


def test_the_link_honours_upload_prefix(api_root: str) -> None:
    assert download_link().startswith(f"{api_root}/v1_1/{CLOUD_NAME}/raw/download?")


def test_a_link_past_its_expires_at_is_refused(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()
    link = download_link(expires_at=int(time.time()) + 300)
    assert httpx.get(link).status_code == 200

    sandbox.clock.advance(301)

    expired = httpx.get(link)
    assert expired.status_code == 401
    assert expired.json() == {"error": {"message": "URL has expired"}}


def test_a_link_without_expires_at_lasts_an_hour(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()
    link = download_link()
    sandbox.clock.advance(3500)
    assert httpx.get(link).status_code == 200

    sandbox.clock.advance(200)

    assert httpx.get(link).status_code == 401


def test_a_tampered_link_is_refused(api_root: str) -> None:
    upload_invoice()
    upload_invoice("invoices/INV-2026-0002.pdf")
    parts = urlsplit(download_link())
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query["public_id"] = "invoices/INV-2026-0002.pdf"

    response = httpx.get(parts._replace(query=urlencode(query)).geturl())

    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Invalid Signature")


def test_a_link_without_the_private_type_finds_nothing(api_root: str) -> None:
    upload_invoice()

    link = cloudinary.utils.private_download_url("invoices/INV-2026-0001.pdf", "", resource_type="raw")

    response = httpx.get(link)
    assert response.status_code == 404
    assert response.json() == {"error": {"message": "Resource not found - invoices/INV-2026-0001.pdf"}}


def test_a_private_asset_is_not_delivered_without_a_signature(api_root: str) -> None:
    private = upload_invoice()
    public = cloudinary.uploader.upload(PDF, resource_type="raw", public_id="brochure.pdf")
    delivery = f"{api_root}/{CLOUD_NAME}/raw"

    refused = httpx.get(f"{delivery}/private/v{private['version']}/invoices/INV-2026-0001.pdf")
    served = httpx.get(f"{delivery}/upload/v{public['version']}/brochure.pdf")

    assert refused.status_code == 401 and refused.content == b""
    assert (served.status_code, served.content) == (200, PDF)


def test_delivery_urls_do_not_follow_upload_prefix(api_root: str) -> None:
    url, _ = cloudinary.utils.cloudinary_url("brochure.pdf", resource_type="raw", secure=True)

    assert url.startswith(f"https://res.cloudinary.com/{CLOUD_NAME}/raw/upload/")


# --- destroy and the Admin API -------------------------------------------------------------------------
def test_destroy_answers_ok_then_not_found(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()
    link = download_link()

    first = cloudinary.uploader.destroy("invoices/INV-2026-0001.pdf", resource_type="raw", type="private")
    second = cloudinary.uploader.destroy("invoices/INV-2026-0001.pdf", resource_type="raw", type="private")

    assert (first["result"], second["result"]) == ("ok", "not found")
    assert sandbox.assets == []
    assert httpx.get(link).status_code == 404


def test_a_forged_destroy_is_refused(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()

    with pytest.raises(cloudinary.exceptions.AuthorizationRequired):
        cloudinary.uploader.destroy(
            "invoices/INV-2026-0001.pdf", resource_type="raw", type="private", api_secret="forged"
        )
    assert len(sandbox.assets) == 1


def test_the_admin_api_lists_assets_by_type_and_prefix(api_root: str) -> None:
    upload_invoice("invoices/INV-1.pdf")
    upload_invoice("invoices/INV-2.pdf")
    upload_invoice("archive/INV-0.pdf")
    cloudinary.uploader.upload(PDF, resource_type="raw", public_id="invoices/public.pdf")

    listed = cloudinary.api.resources(resource_type="raw", type="private", prefix="invoices/", max_results=1)
    rest = cloudinary.api.resources(
        resource_type="raw", type="private", prefix="invoices/", next_cursor=listed["next_cursor"]
    )

    names = [r["public_id"] for r in listed["resources"] + rest["resources"]]
    assert sorted(names) == ["invoices/INV-1.pdf", "invoices/INV-2.pdf"]
    assert "next_cursor" not in rest


def test_the_admin_api_needs_the_secret(api_root: str) -> None:
    with pytest.raises(cloudinary.exceptions.AuthorizationRequired):
        cloudinary.api.resources(resource_type="raw", type="private", api_secret="wrong")


# --- faults ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "exception"),
    [("429", cloudinary.exceptions.RateLimited), ("500", cloudinary.exceptions.GeneralError)],
)
def test_an_injected_fault_answers_instead_and_stores_nothing(
    api_root: str, sandbox: CloudinarySandbox, kind: str, exception: type[Exception]
) -> None:
    sandbox.faults.add({"kind": kind, "path": "/v1_1/", "method": "POST"})

    with pytest.raises(exception):
        upload_invoice()
    assert sandbox.assets == []
    upload_invoice()  # the fault was for one request
    assert len(sandbox.assets) == 1


def test_a_dropped_connection_reaches_the_sdk_as_an_error(api_root: str, sandbox: CloudinarySandbox) -> None:
    sandbox.faults.add({"kind": "drop"})

    with pytest.raises(cloudinary.exceptions.Error):
        upload_invoice()


def test_the_control_api_shows_assets_and_moves_the_clock(api_root: str, sandbox: CloudinarySandbox) -> None:
    upload_invoice()

    assets = httpx.get(f"{api_root}/_sandbox/assets").json()
    moved = httpx.post(f"{api_root}/_sandbox/clock", json={"seconds": 7200})

    assert [a["public_id"] for a in assets["assets"]] == ["invoices/INV-2026-0001.pdf"]
    assert moved.status_code == 200
    assert httpx.get(download_link()).status_code == 401
