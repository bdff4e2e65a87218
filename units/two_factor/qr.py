"""The QR code of a TOTP key, drawn on the server as SVG and handed to the page as a data: URI: the
page fetches no image from anywhere (intranet, strict CSP), and the secret never leaves this response."""
import base64

import qrcode
import qrcode.image.svg


def qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    svg = image.to_string(encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def grouped_secret(base32: str) -> str:
    """ABCD EFGH ... : easier to type into an app by hand."""
    return " ".join(base32[i:i + 4] for i in range(0, len(base32), 4))
