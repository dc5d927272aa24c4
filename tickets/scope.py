"""The one door to cases: which cases a signed-in person may see and act on.

Every view, API endpoint, export and task reaches cases through `scope_for(user)` from here; the same scope
answers for accounts, organizations and contacts (tenants.scope, which knows no cases). Anything outside the
scope must answer 404, exactly like something that does not exist (domain.md §1).

- Vendor staff (engineer, supervisor, admin) see every case.
- A portal admin sees every case of its account within the organizations it acts for (an MSP admin limited
  to two of three client organizations never sees the third).
- A contact sees the cases it filed and those it is CC'd on, within the organizations it acts for.
- A deactivated contact, or a signed-in person with no membership, sees nothing.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tenants import scope as tenant_scope
from tickets.models import Case


@dataclass(frozen=True)
class CaseScope(tenant_scope.Scope):
    """tenants.scope.Scope (accounts, organizations, contacts), and the cases within it."""

    def cases(self) -> QuerySet[Case]:
        if self.is_vendor_staff:
            return Case.objects.all()
        if self.membership is None:
            return Case.objects.none()
        cases = Case.objects.filter(account_id=self.membership.account_id)
        if not self.membership.all_organizations:
            cases = cases.filter(organization__in=self.organizations())
        if not self.is_portal_admin:
            cases = cases.filter(
                Q(requester=self.user)
                | Q(pk__in=Case.cc.through.objects.filter(user_id=self.user.pk).values("case_id"))
            )
        return cases


# Code about cases names it as it named tenants' scope: `from tickets.scope import Scope, scope_for`.
Scope = CaseScope


def scope_for(user) -> CaseScope:
    """The scope of whoever is signed in, cases included (an anonymous user gets an empty scope)."""
    people = tenant_scope.scope_for(user)
    return CaseScope(user=people.user, is_vendor_staff=people.is_vendor_staff, membership=people.membership)
