"""The Upload API (upload, destroy, download) and the Admin API's resource listing."""

from __future__ import annotations

import hashlib
import posixpath
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sandboxes.cloudinary import signing
from sandboxes.cloudinary.assets import RESOURCE_TYPES, TYPES, Asset, Download, content_type, image_format
from sandboxes.cloudinary.errors import CloudinaryError, missing, not_found
from sandboxes.cloudinary.forms import fields
from sandboxes.kit.web import Request, Response, json_response

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sandboxes.cloudinary.state import CloudinarySandbox

MAX_RESULTS = 500
DEFAULT_RESULTS = 10


def _resource_type(sandbox: CloudinarySandbox, params: dict[str, str], allowed: tuple[str, ...]) -> str:
    if params["cloud"] != sandbox.cloud_name:
        raise CloudinaryError(401, f"Invalid cloud_name {params['cloud']}")
    resource_type = params["resource_type"]
    if resource_type not in allowed:
        raise CloudinaryError(400, f"Invalid resource type {resource_type}")
    return resource_type


def _signed(sandbox: CloudinarySandbox, given: Mapping[str, str]) -> None:
    """A signed Upload API call: our key, a good signature and a timestamp within the hour."""
    signing.check(given, sandbox.api_key, sandbox.api_secret, sandbox.signature_algorithm)
    stamp = signing.timestamp(given)
    now = sandbox.clock.now().timestamp()
    if abs(now - stamp) > signing.SIGNATURE_LIFETIME:
        reported = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S +0000")
        raise CloudinaryError(400, f"Stale request - reported time is {reported} which is out of range")


def _delivery_type(given: Mapping[str, str]) -> str:
    delivery_type = given.get("type") or "upload"
    if delivery_type not in TYPES:
        raise CloudinaryError(400, f"Invalid type {delivery_type}")
    return delivery_type


def upload(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    resource_type = _resource_type(sandbox, params, (*RESOURCE_TYPES, "auto"))
    given, file = fields(request)
    _signed(sandbox, given)
    if file is None or not file.content:
        raise missing("file") if "file" not in given else CloudinaryError(400, "Remote files are not fetched here")
    content = file.content
    delivery_type = _delivery_type(given)
    file_format = image_format(content)
    if resource_type == "auto":
        resource_type = "image" if file_format else "raw"
    if resource_type != "raw" and file_format is None:
        raise CloudinaryError(400, "Invalid image file")
    original = posixpath.basename(file.file_name or "file")
    public_id = given.get("public_id") or sandbox.new_id(20)
    if resource_type == "raw" and not given.get("public_id") and "." in original:
        public_id += "." + original.rpartition(".")[2]  # a raw asset's public id keeps its extension
    if given.get("folder"):
        public_id = f"{given['folder'].strip('/')}/{public_id}"
    key = (resource_type, delivery_type, public_id)
    existing = sandbox.asset(*key)
    if existing is not None and given.get("overwrite") in ("0", "false"):
        return json_response({**existing.upload_answer(sandbox.cloud_name, sandbox.api_key), "existing": True})
    version = sandbox.next_version(key)
    answer_signature = signing.ALGORITHMS[sandbox.signature_algorithm](
        f"public_id={public_id}&version={version}{sandbox.api_secret}".encode()
    ).hexdigest()
    asset = Asset(
        asset_id=sandbox.new_id(),
        public_id=public_id,
        resource_type=resource_type,
        type=delivery_type,
        format="" if resource_type == "raw" else (file_format or ""),
        version=version,
        content=content,
        created_at=sandbox.clock.now(),
        original_filename=original.rpartition(".")[0] or original,
        signature=answer_signature,
        pages=max(1, content.count(b"/Type /Page") - content.count(b"/Type /Pages"))
        if resource_type == "image" and file_format == "pdf"
        else 0,
    )
    sandbox.store(asset)
    return json_response({**asset.upload_answer(sandbox.cloud_name, sandbox.api_key), "existing": False})


def destroy(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    resource_type = _resource_type(sandbox, params, RESOURCE_TYPES)
    given, _ = fields(request)
    _signed(sandbox, given)
    public_id = given.get("public_id")
    if not public_id:
        raise missing("public_id")
    gone = sandbox.destroy(resource_type, _delivery_type(given), public_id)
    return json_response({"result": "ok" if gone else "not found"})


def download(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    """`private_download_url`: a signed link that serves the original until `expires_at` (by default
    an hour after its timestamp)."""
    resource_type = _resource_type(sandbox, params, RESOURCE_TYPES)
    given = {name: values[0] for name, values in request.query.items()}
    signing.check(given, sandbox.api_key, sandbox.api_secret, sandbox.signature_algorithm)
    stamp = signing.timestamp(given)
    expires_at = given.get("expires_at") or str(stamp + signing.SIGNATURE_LIFETIME)
    if not expires_at.isdigit():
        raise CloudinaryError(400, f"Invalid expires_at {expires_at}")
    public_id, delivery_type = given.get("public_id"), _delivery_type(given)
    if not public_id:
        raise missing("public_id")
    if sandbox.clock.now().timestamp() > int(expires_at):
        sandbox.record(Download(public_id, delivery_type, 401, 0))
        raise CloudinaryError(401, "URL has expired")
    asset = sandbox.asset(resource_type, delivery_type, public_id)
    wanted = given.get("format", "")
    if asset is None or (wanted and asset.format and wanted != asset.format):
        sandbox.record(Download(public_id, delivery_type, 404, 0))
        raise not_found(public_id)
    name = posixpath.basename(public_id) + (f".{asset.format}" if asset.format else "")
    disposition = "attachment" if given.get("attachment") in ("1", "true") else "inline"
    headers = [
        ("Content-Type", content_type(public_id, asset.format)),
        ("Content-Disposition", f'{disposition}; filename="{name}"'),
        ("ETag", f'"{hashlib.md5(asset.content, usedforsecurity=False).hexdigest()}"'),
        ("Cache-Control", "private, no-store"),
    ]
    sandbox.record(Download(public_id, delivery_type, 200, len(asset.content)))
    return Response(200, asset.content, headers)


def list_resources(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    """Admin API `GET resources/{resource_type}[/{type}]`, newest first, `max_results` a page."""
    resource_type = _resource_type(sandbox, params, RESOURCE_TYPES)
    delivery_type = params.get("type")
    prefix = request.param("prefix") or ""
    try:
        limit = min(int(request.param("max_results") or DEFAULT_RESULTS), MAX_RESULTS)
        start = int(request.param("next_cursor") or 0)
    except ValueError:
        raise CloudinaryError(400, "max_results and next_cursor must be numbers") from None
    matching = sorted(
        (
            asset
            for asset in sandbox.assets
            if asset.resource_type == resource_type
            and (delivery_type is None or asset.type == delivery_type)
            and asset.public_id.startswith(prefix)
        ),
        key=lambda asset: asset.created_at,
        reverse=True,
    )
    page = matching[start : start + limit]
    document: dict[str, object] = {"resources": [asset.resource(sandbox.cloud_name) for asset in page]}
    if start + limit < len(matching):
        document["next_cursor"] = str(start + limit)
    return json_response(document)


def deliver(sandbox: CloudinarySandbox, request: Request, params: dict[str, str]) -> Response:
    """A delivery URL (`res.cloudinary.com/<cloud>/<resource_type>/<type>/…`): only `upload` assets are
    public; a private or authenticated original needs a signed link."""
    if params["cloud"] != sandbox.cloud_name or params["type"] != "upload":
        return Response(401, b"", [("X-Cld-Error", "Resource not found or access denied")])
    path = params["path"]
    head, _, rest = path.partition("/")
    if head.startswith("v") and head[1:].isdigit() and rest:
        path = rest
    for asset in sandbox.assets:
        suffix = f".{asset.format}" if asset.format else ""
        if asset.key[:2] == (params["resource_type"], "upload") and f"{asset.public_id}{suffix}" == path:
            return Response(200, asset.content, [("Content-Type", content_type(asset.public_id, asset.format))])
    return Response(404, b"", [("X-Cld-Error", "Resource not found")])
