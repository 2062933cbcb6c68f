"""Deployment packages from requests: a zip, an S3 object (ours or moto's), a container image.

Shared by every family that takes code: functions, and layers, which take the same ``ZipFile`` /
``S3Bucket`` / ``S3Key`` sources (:func:`layer_content`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Optional

from ..errors import InvalidParameterValue, UnsupportedMember
from ..runtime.packages import PackageRejected, check_package
from .call import Call
from .model import Code


def zip_code(data: bytes) -> Code:
    """A zip deployment package, refused as AWS refuses it at upload (F-FN-014).

    AWS unzips the package when it is uploaded: an archive it cannot unzip (a bad CRC too) and
    one that unzips to 262,144,000 bytes or more are refused then, not at the first invoke.
    """
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    try:
        check_package(data, digest)
    except PackageRejected as exc:
        raise InvalidParameterValue(str(exc)) from None
    return Code(sha256=digest, size=len(data), zip_bytes=data)


_NO_SUCH_BUCKET = (
    "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist"
)
_NO_SUCH_KEY = (
    "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist."
)


def _moto_s3_object(account_id: str, bucket: str, key: str) -> Optional[tuple[bool, Optional[bytes]]]:
    """(bucket exists, object bytes) from moto's S3 while ``mock_aws`` is active, else None.

    Reads moto's in-memory backend directly: no request is made, so nothing can reach the network.
    """
    import sys

    if "moto" not in sys.modules:
        return None
    try:
        from moto.core.models import botocore_stubber
        from moto.s3.models import s3_backends

        if not botocore_stubber.enabled:
            return None
        found = s3_backends[account_id]["aws"].buckets.get(bucket)
        if found is None:
            return False, None
        obj = found.keys.get(key)
        return True, (bytes(obj.value) if obj is not None else None)
    except Exception:  # another moto layout: behave as if moto were not there
        return None


def s3_code(call: Call, bucket: str, key: str, version: Optional[str]) -> Code:
    """Code from S3: bytes registered with ``m.add_s3_object``, or moto's S3 when it is active.

    A bucket neither knows is taken as a fake location (a stable digest of it, size 0), so deploy
    code that only passes S3 locations around still works; a known bucket without the key, or a
    bucket missing from moto, gets AWS's GetObject error.
    """
    objects = call.backend.s3_objects
    data = objects.get((bucket, key))
    if data is None:
        moto = _moto_s3_object(call.account_id, bucket, key)
        if moto is not None:
            bucket_exists, data = moto
            if not bucket_exists:
                raise InvalidParameterValue(_NO_SUCH_BUCKET)
            if data is None:
                raise InvalidParameterValue(_NO_SUCH_KEY)
        elif any(b == bucket for b, _ in objects):
            raise InvalidParameterValue(_NO_SUCH_KEY)
    if data is not None:
        code = zip_code(data)
        return Code(code.sha256, code.size, data, (bucket, key, version))
    digest = base64.b64encode(hashlib.sha256(f"s3://{bucket}/{key}?{version}".encode()).digest()).decode()
    return Code(sha256=digest, size=0, s3_location=(bucket, key, version))


_IMAGE_DIGEST = re.compile(r"@sha256:([0-9a-f]{64})$")


def _image_code(uri: str) -> Code:
    """An image package. Pinned by digest (``repo@sha256:<d>``), AWS reports ``<d>`` as CodeSha256.

    A tag cannot be resolved without a registry, so its CodeSha256 is a stable digest of the URI.
    """
    pinned = _IMAGE_DIGEST.search(uri)
    digest = pinned.group(1) if pinned else hashlib.sha256(uri.encode()).hexdigest()
    return Code(sha256=digest, size=0, image_uri=uri)


def code_from_request(call: Call, source: dict, package_type: str) -> Code:
    """The deployment package a CreateFunction ``Code`` or UpdateFunctionCode request names."""
    if package_type == "Image":
        uri = source.get("ImageUri")
        if not uri:
            raise InvalidParameterValue("Please provide ImageUri when updating a function with packageType Image.")
        return _image_code(uri)
    if source.get("ImageUri"):
        raise InvalidParameterValue("Please don't provide ImageUri when updating a function with packageType Zip.")
    if source.get("ZipFile") is not None:
        if source.get("S3Bucket") or source.get("S3Key"):
            raise InvalidParameterValue("Please do not provide other FunctionCode parameters when providing a ZipFile.")
        return zip_code(source["ZipFile"])
    bucket, key = source.get("S3Bucket"), source.get("S3Key")
    if bucket and key:
        return s3_code(call, bucket, key, source.get("S3ObjectVersion"))
    raise InvalidParameterValue("Please provide a source for function code.")


def layer_content(call: Call, content: dict) -> Code:
    """The archive a PublishLayerVersion ``Content`` names: a zip or an S3 object, as for functions.

    ``S3ObjectStorageMode: REFERENCE`` (Lambda reads the archive from the bucket, never copies it)
    is refused by name, as for functions: accepting it would report a copy that AWS never made.
    """
    if content.get("S3ObjectStorageMode") == "REFERENCE":
        raise UnsupportedMember("S3ObjectStorageMode", "only COPY, the default, is emulated")
    return code_from_request(call, {k: v for k, v in content.items() if k != "S3ObjectStorageMode"}, "Zip")
