"""The URL map. This module composes the apps; the apps never import it."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from greenoffice import views
from units.password_reset import QueuedPasswordResetForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Password reset by e-mail. It never logs the user in (post_reset_login stays False), so a reset
    # password still needs the TOTP code of a user who has one (docs/security.md).
    # Its e-mail is sent by a Celery worker (units.password_reset), not inside the request.
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
         name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("accounts/2fa/", include("units.two_factor.urls")),
    # Django's set_language view (POST): the language switcher in the navbar posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", views.audit_list, name="audit_list"),
    path("units/", include("units.urls")),
    path("assessment/", include("assessment.urls")),
    path("ledger/", include("assessment.ledger.urls")),
    path("inspections/", include("inspections.urls")),
    path("reports/", include("inspections.reports.urls")),
    path("evaluation/", include("inspections.evaluation.urls")),
    # Short public links printed on posters (公开评议问卷): /p/<8-character code>/.
    path("p/", include("inspections.evaluation.public_urls")),
    path("dashboard/", include("greenoffice.dashboard.urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "greenoffice.views.error_400"
handler403 = "greenoffice.views.error_403"
handler404 = "greenoffice.views.error_404"
handler500 = "greenoffice.views.error_500"
