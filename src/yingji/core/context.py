from django.conf import settings


def platform(request):
    """Values every page needs: the map tile setting and the modules the user may open."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "DEMO_MODE": settings.DEMO_MODE,
    }
