from django.urls import path

from inspections.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("request/", views.report_request_view, name="request"),
    path("verify/", views.report_verify, name="verify"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry_view, name="retry"),
]
