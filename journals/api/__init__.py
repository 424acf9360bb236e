"""The REST API of journals (``/api/v1/journals/``, ``/plan-items/``, ``/visits/``):
daily journals with their plan, visits and comments. Serializers in
:mod:`.serializers`, views in :mod:`.views`; routes in ``urlpatterns``."""

from rest_framework.routers import SimpleRouter

from .views import JournalViewSet, PlanItemViewSet, VisitViewSet

router = SimpleRouter()
router.register("journals", JournalViewSet, basename="journal")
router.register("plan-items", PlanItemViewSet, basename="plan-item")
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = router.urls

__all__ = ["JournalViewSet", "PlanItemViewSet", "VisitViewSet", "urlpatterns"]
