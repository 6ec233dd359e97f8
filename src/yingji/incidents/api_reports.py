from ninja import Router

router = Router(tags=["disaster-reports"])
