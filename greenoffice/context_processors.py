from django.contrib.auth.models import AnonymousUser

from greenoffice.navigation import nav_items_for


def navigation(request):
    # Error pages render for requests that never reached AuthenticationMiddleware (a bad Host header
    # is refused by CommonMiddleware before it): they have no request.user and get no menu.
    return {"nav_items": nav_items_for(getattr(request, "user", None) or AnonymousUser())}
