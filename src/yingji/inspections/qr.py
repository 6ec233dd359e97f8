"""The enterprise's QR check-in poster (扫码检查): the signed token, the URL it encodes, and the A4
poster as PNG or PDF (Pillow, with a CJK TrueType font found on the machine) or SVG for the HTML print
page.

The token is `<random key>:<signature>`: the key is random and stored per enterprise (never the primary
key), and the signature (Django's Signer, keyed by SECRET_KEY) lets a forged or mistyped token be
refused before any lookup.
"""

from __future__ import annotations

import io
import secrets
import shutil
import subprocess
from pathlib import Path

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.inspections.models_checklists import QrCode
from yingji.registry.models import Enterprise

SALT = "yingji.inspections.qr"
A4_PX = (1240, 1754)  # A4 at 150 dpi
DPI = 150
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
CJK_HINTS = ("wqy", "cjk", "sourcehan", "pingfang", "msyh", "uming", "ukai", "droidsansfallback")
FONT_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")


class PosterError(Exception):
    """The poster cannot be drawn (no CJK font on this machine)."""


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def key_for(enterprise: Enterprise) -> str:
    code, _created = QrCode.objects.get_or_create(
        enterprise=enterprise, defaults={"key": secrets.token_urlsafe(18)}
    )
    return code.key


def token_for(enterprise: Enterprise) -> str:
    return _signer().sign(key_for(enterprise))


def enterprise_for_token(token: str) -> Enterprise | None:
    """The enterprise of a poster's token, or None for a forged, damaged or withdrawn token."""
    try:
        key = _signer().unsign(token or "")
    except signing.BadSignature:
        return None
    code = QrCode.objects.select_related("enterprise").filter(key=key).first()
    return code.enterprise if code else None


def rotate_key(enterprise: Enterprise) -> str:
    """A new key: posters printed before stop working."""
    QrCode.objects.update_or_create(enterprise=enterprise, defaults={"key": secrets.token_urlsafe(18)})
    return token_for(enterprise)


def scan_url(request, enterprise: Enterprise) -> str:
    """The absolute URL the poster encodes."""
    return request.build_absolute_uri(reverse("inspections:qr_scan", args=[token_for(enterprise)]))


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=8, border=2, omitsize=True)


def find_cjk_font() -> str:
    """The path of a font with Chinese glyphs: fontconfig first, then well-known paths."""
    if shutil.which("fc-match"):
        for family in FONT_FAMILIES:
            try:
                found = subprocess.run(
                    ["fc-match", "-f", "%{file}", family],
                    capture_output=True,
                    text=True,
                    timeout=5,
                    check=False,
                ).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                break
            # fc-match always answers (with DejaVu at worst): keep only a font known to carry CJK.
            if found and Path(found).exists() and any(h in found.lower() for h in CJK_HINTS):
                return found
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return path
    raise PosterError(
        _(
            "No Chinese font was found on the server, so the poster cannot be drawn. Install one "
            "(e.g. the fonts-wqy-microhei package) or use the HTML print version."
        )
    )


def _centred(draw, y: int, text: str, font, fill="#000000") -> int:
    box = draw.textbbox((0, 0), text, font=font)
    width, height = box[2] - box[0], box[3] - box[1]
    draw.text(((A4_PX[0] - width) // 2, y), text, font=font, fill=fill)
    return y + height


def _wrap(draw, text: str, font, max_width: int) -> list[str]:
    lines, current = [], ""
    for char in text:
        trial = current + char
        if draw.textlength(trial, font=font) > max_width and current:
            lines.append(current)
            current = char
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def poster_image(enterprise: Enterprise, url: str):
    """The A4 poster (a Pillow image, 150 dpi)."""
    import segno
    from PIL import Image, ImageDraw, ImageFont

    font_path = find_cjk_font()

    def font(size: int):
        return ImageFont.truetype(font_path, size)

    image = Image.new("RGB", A4_PX, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, A4_PX[0], 230], fill="#c62828")
    _centred(draw, 70, _("Work safety QR check-in"), font(78), fill="white")
    y = 290
    for line in _wrap(draw, enterprise.name, font(60), A4_PX[0] - 160):
        y = _centred(draw, y, line, font(60)) + 20
    symbol = segno.make(url, error="m")
    modules = symbol.symbol_size(scale=1, border=2)[0]
    buffer = io.BytesIO()
    symbol.save(buffer, kind="png", scale=max(4, 820 // modules), border=2)  # whole pixels per module
    buffer.seek(0)
    code = Image.open(buffer).convert("RGB")
    side = code.size[0]
    top = max(y + 40, 480)
    image.paste(code, ((A4_PX[0] - side) // 2, top))
    y = top + side + 50
    notes = [
        _("Inspectors: scan to start an inspection."),
        _("Staff of this enterprise: scan to start the self-check."),
        _("The public: scan to report a hidden danger."),
    ]
    for line in notes:
        y = _centred(draw, y, line, font(40), fill="#333333") + 24
    _centred(
        draw, A4_PX[1] - 90, enterprise.division.name if enterprise.division_id else "", font(30), "#666666"
    )
    return image


def poster_bytes(enterprise: Enterprise, url: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, filename) for fmt "png" or "pdf"."""
    image = poster_image(enterprise, url)
    buffer = io.BytesIO()
    if fmt == "pdf":
        image.save(buffer, "PDF", resolution=DPI)
        return buffer.getvalue(), "application/pdf", f"qr-{enterprise.pk}.pdf"
    image.save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue(), "image/png", f"qr-{enterprise.pk}.png"
