from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from tenants.authentication import NO_TOKENS_FOR_ADMINS
from tenants.models import StaffRole, User


class Command(BaseCommand):
    help = (
        "Print the API token of the person with this email address, creating it the first time "
        "(running it again prints the same token). Send it as `Authorization: Token <key>`."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No one signs in with {email}: check the address, or invite them first.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated: a token would not let them in.")
        if user.staff_role == StaffRole.ADMIN:
            raise CommandError(f"{user.email} has the admin role. {NO_TOKENS_FOR_ADMINS}")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
