"""Events: the generic resource tests, with their citations."""

from tests.api.mixins import ResourceTests
from tests.api.specs import SPECS


class TestEvents(ResourceTests):
    spec = SPECS["events"]

    def check_created(self, obj, body):
        assert obj.citations.get().text == "the Secretary General said"
        assert body["starts_on_display"] == "2018-02"
