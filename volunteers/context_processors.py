from .completeness import profile_completeness


def profile_hint(request):
    """`profile_hint` in every template: a callable, so the profile is only read by the
    templates that show the hint (the home page), never by the others."""
    user = getattr(request, "user", None)

    def hint():
        if user is None or not user.is_authenticated:
            return None
        completeness = profile_completeness(user)
        return None if completeness.done else completeness

    return {"profile_hint": hint}
