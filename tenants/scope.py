"""The one door to tenant data: which accounts, organizations and contacts a signed-in person may see.

Every view, API endpoint, export and task reaches accounts, organizations and contacts through
`scope_for(user)`. Anything outside the scope must answer 404, exactly like something that does not exist
(domain.md §1). Which cases a person may see is built on top of this, with the cases, in tickets.scope.

- Vendor staff (engineer, supervisor, admin) see everything.
- A portal admin sees its account and the organizations it acts for (an MSP admin limited to two of three
  client organizations never sees the third), and the contacts within its reach (`contacts()`).
- A contact sees its account and the organizations it acts for.
- A deactivated contact, or a signed-in person with no membership, sees nothing.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from tenants.models import Account, Membership, Organization, User


@dataclass(frozen=True)
class Scope:
    user: User | None
    is_vendor_staff: bool
    membership: Membership | None

    @property
    def is_customer(self) -> bool:
        return self.membership is not None

    @property
    def is_portal_admin(self) -> bool:
        return self.membership is not None and self.membership.role == Membership.Role.ADMIN

    def accounts(self) -> QuerySet[Account]:
        if self.is_vendor_staff:
            return Account.objects.all()
        if self.membership is None:
            return Account.objects.none()
        return Account.objects.filter(pk=self.membership.account_id)

    def organizations(self) -> QuerySet[Organization]:
        """The organizations this person may see and file cases for."""
        if self.is_vendor_staff:
            return Organization.objects.all()
        if self.membership is None:
            return Organization.objects.none()
        organizations = Organization.objects.filter(account_id=self.membership.account_id)
        if not self.membership.all_organizations:
            organizations = organizations.filter(memberships=self.membership)
        return organizations

    @property
    def acts_for_all_organizations(self) -> bool:
        """Staff, or a contact acting for every organization of its account (including ones added later)."""
        return self.is_vendor_staff or (self.membership is not None and self.membership.all_organizations)

    def contacts(self) -> QuerySet[Membership]:
        """The contacts (memberships) this person may see and manage.

        A portal admin acting for all organizations: every contact of its account. A portal admin limited to
        some organizations: only contacts whose organizations all lie within its own, never one acting for
        all of them (a wider reach), so it can neither read nor deactivate anyone who sees more than it does.
        """
        if self.is_vendor_staff:
            return Membership.objects.all()
        if not self.is_portal_admin:
            return Membership.objects.none()
        contacts = Membership.objects.filter(account_id=self.membership.account_id)
        if self.membership.all_organizations:
            return contacts
        beyond_reach = Organization.objects.filter(account_id=self.membership.account_id).exclude(
            pk__in=self.organizations().values("pk")
        )
        return contacts.filter(all_organizations=False).exclude(organizations__in=beyond_reach)


def scope_for(user) -> Scope:
    """The scope of whoever is signed in (an anonymous user gets an empty scope)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user=None, is_vendor_staff=False, membership=None)
    if user.staff_role:
        return Scope(user=user, is_vendor_staff=True, membership=None)
    membership = Membership.objects.filter(user=user, is_active=True).first()
    return Scope(user=user, is_vendor_staff=False, membership=membership)
