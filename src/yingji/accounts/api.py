from ninja import Router, Schema
from ninja.security import HttpBearer

from yingji.accounts.services import user_for_token

router = Router(tags=["accounts"])


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` for machines; tokens come from `yingji token create`."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    division: str | None
    enterprise: int | None
    permissions: list[str]


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "division": user.division_id,
        "enterprise": user.enterprise_id,
        "permissions": sorted(user.get_all_permissions()),
    }
