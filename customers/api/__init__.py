"""The REST API of customers (``/api/v1/customers/...``): customer files with their
contacts, stage changes and revenue (:mod:`.files`); import jobs (:mod:`.imports`);
big-account projects (:mod:`.projects`).
Routes in ``urlpatterns``."""

from rest_framework.routers import SimpleRouter

from .files import CustomerViewSet
from .imports import ImportJobViewSet
from .projects import ProjectViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("import-jobs", ImportJobViewSet, basename="import-job")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = router.urls

__all__ = ["CustomerViewSet", "ImportJobViewSet", "ProjectViewSet", "urlpatterns"]
