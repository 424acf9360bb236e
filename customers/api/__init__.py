"""The REST API of customers (``/api/v1/customers/...``): customer files with their
contacts, stage changes and revenue (:mod:`.files`); import jobs (:mod:`.imports`).
Routes in ``urlpatterns``."""

from rest_framework.routers import SimpleRouter

from .files import CustomerViewSet
from .imports import ImportJobViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("import-jobs", ImportJobViewSet, basename="import-job")

urlpatterns = router.urls

__all__ = ["CustomerViewSet", "ImportJobViewSet", "urlpatterns"]
