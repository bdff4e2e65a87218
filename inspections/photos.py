"""When and where a photo was taken, read from its EXIF before the upload check re-encodes the image
(re-encoding drops all metadata, which is what keeps stored files clean).

Only the header and the EXIF block are read, no pixels, so this is safe to run on untrusted files
before `assessment.uploads.validate_upload` has looked at them; anything unreadable gives "unknown".
"""
import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from PIL import ExifTags, Image

TAG_DATETIME_ORIGINAL = 0x9003
TAG_OFFSET_TIME_ORIGINAL = 0x9011
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class PhotoMetadata:
    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _taken_at(exif_ifd) -> datetime.datetime | None:
    raw = exif_ifd.get(TAG_DATETIME_ORIGINAL)
    if not raw:
        return None
    try:
        naive = datetime.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = str(exif_ifd.get(TAG_OFFSET_TIME_ORIGINAL) or "").strip("\x00 ")
    if offset:
        try:
            return datetime.datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S} {offset}", "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            pass
    # Cameras write local wall-clock time without a zone: the city's own zone is the best reading.
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _coordinate(values, ref, limit: int) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(v))) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if str(ref).strip("\x00 ").upper() in ("S", "W"):
        value = -value
    if not -limit <= value <= limit:
        return None
    return value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def read_photo_metadata(file) -> PhotoMetadata:
    try:
        file.seek(0)
        with Image.open(file) as image:
            exif = image.getexif()
            exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 — a photo without readable EXIF is still a photo
        return PhotoMetadata()
    finally:
        try:
            file.seek(0)
        except Exception:  # noqa: BLE001
            pass
    latitude = longitude = None
    if gps.get(GPS_LATITUDE) and gps.get(GPS_LONGITUDE):
        latitude = _coordinate(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"), 90)
        longitude = _coordinate(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"), 180)
        if latitude is None or longitude is None:
            latitude = longitude = None
    return PhotoMetadata(taken_at=_taken_at(exif_ifd), latitude=latitude, longitude=longitude)
