from django.contrib.auth.backends import ModelBackend

from yingji.accounts.roles import permissions_of


class RoleBackend(ModelBackend):
    """Password login (refusing locked accounts) and permissions granted by the user's role."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not user.is_locked()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if user_obj.is_superuser:
            return {"*"}
        return set(permissions_of(user_obj.role))

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        perms = self.get_all_permissions(user_obj, obj)
        return "*" in perms or perm in perms
