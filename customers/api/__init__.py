"""The REST API of customers (``/api/v1/customers/...``): customer files with their
contacts, stage changes and revenue (:mod:`.files`). Routes in ``urlpatterns``."""

from rest_framework.routers import SimpleRouter

from .files import CustomerViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")

urlpatterns = router.urls

__all__ = ["CustomerViewSet", "urlpatterns"]
