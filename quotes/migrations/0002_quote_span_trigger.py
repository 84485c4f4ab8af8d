from django.db import migrations

from sources.db import CreateSpanBoundsTrigger


class Migration(migrations.Migration):
    dependencies = [("quotes", "0001_initial"), ("sources", "0002_citation_span_trigger")]

    operations = [CreateSpanBoundsTrigger("quote")]
