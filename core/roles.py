"""The researchers group: view, add and change every content model; never delete."""

RESEARCHERS = "researchers"
RESEARCHER_ACTIONS = ("view", "add", "change")


def ensure_researchers_group(sender=None, **kwargs):
    """Create the group if missing and give it the permissions on every content model.

    Connected to post_migrate of each content app (core.apps), so the group follows the models
    (a new model's permissions are added on the next migrate) and survives a flush. Migration
    quotes 0004 created the group first.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from core.registry import content_models

    group, _ = Group.objects.get_or_create(name=RESEARCHERS)
    content_types = ContentType.objects.get_for_models(*content_models()).values()
    permissions = Permission.objects.filter(
        content_type__in=content_types,
        codename__regex=rf"^({'|'.join(RESEARCHER_ACTIONS)})_",
    )
    group.permissions.add(*permissions)
