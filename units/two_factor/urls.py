from django.urls import path

from units.two_factor import views

app_name = "two_factor"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("security/", views.security, name="security"),
    path("security/disable/", views.disable, name="disable"),
    path("security/reset/", views.reset, name="reset"),
]
