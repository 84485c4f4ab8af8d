"""Outlets: the generic resource tests."""

from tests.api.mixins import ResourceTests
from tests.api.specs import SPECS


class TestOutlets(ResourceTests):
    spec = SPECS["outlets"]
