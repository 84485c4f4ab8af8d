"""The roles, as groups: researchers curate, editors also publish.

- `researchers`: view, add and change every content model; never delete. In the review
  workflow (core.review) they move records between draft and reviewed.
- `editors`: what researchers may, and publish and unpublish every reviewed model (the
  permission `<app>.publish_<model>`, core.review.publish_permission()).

Deleting needs the delete permission and a staff account (core.api.permissions); superusers
have every permission.
"""

RESEARCHERS = "researchers"
EDITORS = "editors"
RESEARCHER_ACTIONS = ("view", "add", "change")


def ensure_roles(sender=None, **kwargs):
    """Create the groups and the publish permissions if missing, and give the groups theirs.

    Connected to post_migrate of each content app (core.apps), so the groups follow the models
    (a new model's permissions are added on the next migrate) and survive a flush. Migration
    quotes 0004 created the researchers group first.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from core.registry import content_models, reviewed_models
    from core.review import PUBLISH

    content_types = ContentType.objects.get_for_models(*content_models()).values()
    curating = Permission.objects.filter(
        content_type__in=content_types,
        codename__regex=rf"^({'|'.join(RESEARCHER_ACTIONS)})_",
    )
    publishing = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{PUBLISH}_{model._meta.model_name}",
            defaults={"name": f"Can publish and unpublish {model._meta.verbose_name}"},
        )[0]
        for model, content_type in ContentType.objects.get_for_models(*reviewed_models()).items()
    ]
    researchers, _ = Group.objects.get_or_create(name=RESEARCHERS)
    researchers.permissions.add(*curating)
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.add(*curating, *publishing)
