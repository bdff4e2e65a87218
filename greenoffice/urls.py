"""The URL map. This module composes the apps; the apps never import it."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from greenoffice import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("audit/", views.audit_list, name="audit_list"),
    path("units/", include("units.urls")),
    path("assessment/", include("assessment.urls")),
    path("ledger/", include("assessment.ledger.urls")),
    path("inspections/", include("inspections.urls")),
    path("reports/", include("inspections.reports.urls")),
    path("dashboard/", include("greenoffice.dashboard.urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "greenoffice.views.error_400"
handler403 = "greenoffice.views.error_403"
handler404 = "greenoffice.views.error_404"
handler500 = "greenoffice.views.error_500"
