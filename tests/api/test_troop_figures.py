"""Troop figures: the generic resource tests, and breakdowns into parts."""

from quotes.models import TroopFigure
from tests.api.mixins import ResourceTests, detail_url
from tests.api.specs import SPECS
from tests.factories import TroopFigureFactory


class TestTroopFigures(ResourceTests):
    spec = SPECS["troop-figures"]

    def test_a_part_is_listed_under_its_whole(self, anonymous, db):
        whole = self.spec.make()
        part = TroopFigureFactory(count=1000, parent=whole)
        body = anonymous.get(detail_url("troopfigure", whole.pk)).json()
        assert [p["id"] for p in body["parts"]] == [part.pk]
        part_body = anonymous.get(detail_url("troopfigure", part.pk)).json()
        assert part_body["parent"]["id"] == whole.pk


def test_a_whole_cannot_shrink_below_its_parts(researcher, seeded):
    whole = TroopFigure.objects.get(slug="nato-baltic-2016")
    response = researcher.patch(detail_url("troopfigure", whole.pk), {"count": 10})
    assert response.status_code == 400
    assert "exceed this figure" in response.json()["errors"][0]["detail"]
    whole.refresh_from_db()
    assert whole.count == 1100
