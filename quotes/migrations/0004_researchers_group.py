"""The `researchers` group: view, add and change on every content model; no delete."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = {
    "sources": ["outlet", "source", "citation"],
    "quotes": [
        "organization",
        "speaker",
        "event",
        "quote",
        "treaty",
        "treatyparty",
        "treatysignatory",
        "treatystatusevent",
        "treatyprovision",
        "troopfigure",
    ],
}
ACTIONS = ["view", "add", "change"]


def create_researchers_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now so
    # the group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="researchers")
    for app_label, models in CONTENT_MODELS.items():
        codenames = [f"{action}_{model}" for model in models for action in ACTIONS]
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        assert permissions.count() == len(codenames), (app_label, codenames)
        group.permissions.add(*permissions)


def delete_researchers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="researchers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("quotes", "0003_quote_search_vector"),
        ("sources", "0004_source_search_vector"),
    ]

    operations = [migrations.RunPython(create_researchers_group, delete_researchers_group)]
