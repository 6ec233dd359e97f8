from ninja import Router

router = Router(tags=["inspection-plans"])
