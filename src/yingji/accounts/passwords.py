from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (str.isupper, str.islower, str.isdigit, lambda ch: not ch.isalnum())


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, symbols (等保2.0 三级)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for test in CLASSES if any(test(ch) for ch in password))
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "The password must mix at least three of: upper-case letters, lower-case letters, digits, symbols."
        )
