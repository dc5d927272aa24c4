from tenants.scope import scope_for
from tenants.selectors import filing_eligibility


def navigation(request):
    """What the base layout needs to draw the right navigation for the signed-in person. `can_file` is
    asked only by pages that show it (a template calls it), so other pages pay no query for it."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {
        "scope": scope,
        "can_file": lambda: scope.membership is not None and filing_eligibility(user=user).can_file,
    }
