"""Storing validated uploads (visit photos, rectification proof) under their content hash.

The checks themselves are assessment.uploads.validate_upload's; EXIF is read first because the
check re-encodes images and drops it."""
from dataclasses import dataclass

from django.db import models

from assessment.uploads import ValidatedUpload, validate_upload
from inspections.photos import PhotoMetadata, read_photo_metadata


@dataclass(frozen=True)
class CheckedFile:
    upload: ValidatedUpload
    metadata: PhotoMetadata


def check_file(file, *, allowed_kinds) -> CheckedFile:
    """Raise ValidationError (Chinese, naming the file) or return the safe bytes and the photo's EXIF."""
    metadata = read_photo_metadata(file)
    upload = validate_upload(file, allowed_kinds=allowed_kinds)
    if upload.kind != "image":
        metadata = PhotoMetadata()
    return CheckedFile(upload=upload, metadata=metadata)


def store_checked_file(instance: models.Model, checked: CheckedFile, upload_to) -> None:
    """Fill the file row's fields from the checked upload and save the bytes (not the row)."""
    upload = checked.upload
    instance.original_name = upload.original_name
    instance.extension = upload.extension
    instance.content_type = upload.content_type
    instance.size = upload.size
    instance.sha256 = upload.sha256
    instance.taken_at = checked.metadata.taken_at
    instance.gps_latitude = checked.metadata.latitude
    instance.gps_longitude = checked.metadata.longitude
    storage = instance.file.storage
    name = upload_to(instance, upload.original_name)
    # Content-addressed: identical bytes are stored once.
    instance.file.name = name if storage.exists(name) else storage.save(name, upload.content)
