"""Email over SMTP with Django's EMAIL_* settings (YINGJI_SMTP_*)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email

from yingji.messaging.channels.base import PermanentError, TemporaryError


def deliver(delivery) -> None:
    try:
        validate_email(delivery.address)
    except ValidationError:
        raise PermanentError(f"not an email address: {delivery.address!r}") from None
    message = delivery.message
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=get_connection(fail_silently=False),
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        kind = TemporaryError if codes and all(400 <= c < 500 for c in codes) else PermanentError
        raise kind(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        kind = PermanentError if 500 <= error.smtp_code < 600 else TemporaryError
        raise kind(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryError(f"{type(error).__name__}: {error}") from error
