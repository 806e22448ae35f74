"""The QR code printed on every contract document: the address of the public page that checks it
(`<public base URL>/portal/verify/<code>`), drawn as SVG by segno (pure Python, no dependencies)."""

import io
from functools import lru_cache

import segno

from fairpath.contracts.contracts.codes import grouped

VERIFY_PAGE = "/portal/verify/"


def verification_url(public_base_url: str, code: str) -> str:
    """The public page of a version's code, as the QR code holds it and the document prints it."""
    return f"{public_base_url.rstrip('/')}{VERIFY_PAGE}{grouped(code)}"


@lru_cache(maxsize=512)  # a version is printed in several languages and formats: its code is drawn once
def qr_svg(url: str) -> str:
    """The QR code of `url` as an SVG document: black modules on white, a quiet zone of four modules, error
    correction M (15 %: a folded or stained paper still scans), a viewBox and no size (the page sets it)."""
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        xmldecl=False,
        svgclass=None,
        lineclass=None,
        omitsize=True,
        border=4,
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode()
