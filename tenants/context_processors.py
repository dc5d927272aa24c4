from tenants.scope import scope_for


def navigation(request):
    """What the base layout needs to draw the right navigation for the signed-in person."""
    scope = scope_for(getattr(request, "user", None))
    return {"scope": scope}
