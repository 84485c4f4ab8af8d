"""Create (or update) a researcher account and print its API token."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.roles import EDITORS, RESEARCHERS


class Command(BaseCommand):
    help = (
        "Create a researcher account and print its API token. A researcher signs in to the "
        "admin (staff) and belongs to the 'researchers' group: adds and changes content, never "
        "deletes it; with --editor also in the 'editors' group: publishes and unpublishes. "
        "Running it again for the same user prints the same token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="Password for the admin site. Without it the account can use the API token "
            "only (set one later with manage.py changepassword).",
        )
        parser.add_argument("--rotate-token", action="store_true", help="Replace the token.")
        parser.add_argument(
            "--editor",
            action="store_true",
            help="Also an editor: may publish and unpublish, with a reason (core.review).",
        )

    @transaction.atomic
    def handle(self, *args, username, email, password, rotate_token, editor, **options):
        names = [RESEARCHERS, EDITORS] if editor else [RESEARCHERS]
        groups = list(Group.objects.filter(name__in=names))
        if len(groups) != len(names):
            raise CommandError(f"The groups {names} are missing: run manage.py migrate.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.is_staff = True  # may sign in to the admin; the group decides what it may do there
        user.save()
        user.groups.add(*groups)
        if rotate_token:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        role = "editor" if editor else "researcher"
        self.stderr.write(f"{'Created' if created else 'Updated'} {role} {username!r}.")
        self.stdout.write(token.key)
