"""Routes of the accounts API, mounted under ``/api/v1/`` by ``salesops/urls.py``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .notifications import NotificationViewSet
from .people import MembershipViewSet, MeView, UnitViewSet, UserViewSet
from .tokens import TokenViewSet

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")
router.register("units", UnitViewSet, basename="unit")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("tokens", TokenViewSet, basename="token")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
