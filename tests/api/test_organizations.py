"""Organisations: the generic resource tests."""

from tests.api.mixins import ResourceTests
from tests.api.specs import SPECS


class TestOrganizations(ResourceTests):
    spec = SPECS["organizations"]
