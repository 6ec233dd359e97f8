"""API routes (mounted in yingji/api.py)."""

from ninja import Router

router = Router(tags=["hidden dangers"])
