import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' if it does not exist. The password comes from ADMIN_PASSWORD, "
        "else a generated one is printed once. An existing account is never changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=os.environ.get("ADMIN_USERNAME", "admin"))
        parser.add_argument("--email", default=os.environ.get("ADMIN_EMAIL", "admin@localhost"))

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"admin account {username!r} already exists (password unchanged)")
            return
        password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        if os.environ.get("ADMIN_PASSWORD"):
            self.stdout.write(f"admin account {username!r} created with the password from ADMIN_PASSWORD")
        else:
            self.stdout.write(f"admin account {username!r} created; password (shown once): {password}")
