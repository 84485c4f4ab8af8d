from django.db import migrations

from sources.db import CreateSpanBoundsTrigger


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [CreateSpanBoundsTrigger("citation")]
