from statuspage.selectors import status_snapshot


def status_banner(request):
    """The open incidents, for the banner of every signed-in page and of the status pages (one cache read)."""
    user = getattr(request, "user", None)
    if (user is not None and user.is_authenticated) or request.path.startswith("/status/"):
        return {"status_banner": status_snapshot().open_incidents}
    return {"status_banner": []}
