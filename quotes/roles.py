"""The researchers group: view, add and change every content model; never delete."""

RESEARCHERS = "researchers"
CONTENT_APPS = ("sources", "quotes")
RESEARCHER_ACTIONS = ("view", "add", "change")


def ensure_researchers_group(sender=None, **kwargs):
    """Create the group if missing and give it the permissions on every content model.

    Connected to post_migrate, so the group follows the models (a new model's permissions are
    added on the next migrate) and survives a flush. Migration 0004 created it first.
    """
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=RESEARCHERS)
    permissions = Permission.objects.filter(
        content_type__app_label__in=CONTENT_APPS,
        codename__regex=rf"^({'|'.join(RESEARCHER_ACTIONS)})_",
    ).exclude(content_type__model__startswith="historical")
    group.permissions.add(*permissions)
