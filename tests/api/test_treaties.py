"""Treaties: the generic resource tests, with their cited facts."""

from tests.api.mixins import ResourceTests
from tests.api.specs import SPECS


class TestTreaties(ResourceTests):
    spec = SPECS["treaties"]

    def check_created(self, obj, body):
        assert obj.citations.get().text == "Officials said 4,000 troops"
        assert body["signed_on_display"] == "1987"


def test_a_treaty_shows_its_signatories_in_brief(anonymous, seeded):
    from quotes.models import Treaty
    from tests.api.mixins import detail_url

    treaty = Treaty.objects.get(slug="inf-treaty")
    body = anonymous.get(detail_url("treaty", treaty.pk)).json()
    signatories = body["signatories"]
    assert signatories, "the INF Treaty was signed by two people"
    for signatory in signatories:
        assert set(signatory["speaker"]) == {"id", "url", "display", "slug"}
        assert signatory["speaker"]["url"].endswith(
            f"/api/v1/speakers/{signatory['speaker']['id']}/"
        )
