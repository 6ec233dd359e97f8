from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core import divisions


class DivisionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class DivisionQuerySet(models.QuerySet):
    def subtree(self, division: Division) -> DivisionQuerySet:
        return self.filter(code__startswith=division.prefix)

    def for_user(self, user) -> DivisionQuerySet:
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        return self.filter(code__startswith=prefix)


class Division(models.Model):
    """An administrative division; its 12-digit code is the primary key so scoping is a prefix match."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # GeoJSON geometry of the outline, when the bureau has one (the map draws it without tiles).
    outline = models.JSONField(_("outline"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return divisions.subtree_prefix(self.code, self.level)

    def ancestors(self) -> list[Division]:
        chain: list[Division] = []
        node = self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    @property
    def full_name(self) -> str:
        return "".join(d.name for d in [*self.ancestors(), self])


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    LOCKED = "locked", _("Account locked")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    REVEAL = "reveal", _("View unmasked data")
    TOKEN = "token", _("API token")


class AuditQuerySet(models.QuerySet):
    def for_user(self, user) -> AuditQuerySet:
        """Records of people inside the user's jurisdiction (failed logins matched by username)."""
        prefix = getattr(user, "scope_prefix", None) if user.is_authenticated else None
        if prefix is None:
            return self.none()
        if prefix == "":
            return self.all()
        people = user._meta.model.objects.filter(division__code__startswith=prefix)
        return self.filter(
            models.Q(user__in=people) | models.Q(user__isnull=True, object_repr__in=people.values("username"))
        )

    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditLog(models.Model):
    """Append-only: the model refuses changes and database triggers refuse them too (see migrations)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class StoredImage(models.Model):
    """What is kept of a validated upload (`core.uploads.Image.fields()`); a subclass adds its file
    field (with its folder) and what the image belongs to."""

    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.file.name  # type: ignore[attr-defined]  # each subclass declares `file`


from yingji.core.escalation.models import *  # noqa: E402, F401, F403
