"""Platform views: the home page and the error pages."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from units.selectors import unit_list_for_user


@login_required
def home(request):
    units = unit_list_for_user(user=request.user)
    my_units = units[:5] if request.user.is_director else []
    return render(request, "home.html", {"unit_count": units.count(), "my_units": my_units})


def error_400(request, exception=None):
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    return render(request, "errors/500.html", status=500)
