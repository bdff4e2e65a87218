"""Unit pages. Reads go through the access gates in units.selectors."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from units.selectors import unit_get_for_user, unit_list_for_user


@login_required
def unit_list(request):
    units = unit_list_for_user(user=request.user).order_by("district__sort_order", "code")
    page = Paginator(units, 25).get_page(request.GET.get("page"))
    return render(request, "units/unit_list.html", {"page": page})


@login_required
def unit_detail(request, pk):
    unit = unit_get_for_user(user=request.user, pk=pk)
    return render(request, "units/unit_detail.html", {"unit": unit})
