from django.urls import path

from assessment.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.index, name="index"),
    path("unit/<int:pk>/", views.unit_current, name="unit"),
    path("unit/<int:pk>/<int:year>/", views.unit_year, name="unit_year"),
    path("unit/<int:pk>/<int:year>/<int:month>/", views.record_edit, name="record_edit"),
    path("unit/<int:pk>/<int:year>/import/", views.import_year, name="import_year"),
    path("unit/<int:pk>/<int:year>/template.xlsx", views.year_template, name="year_template"),
    path("record/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("panel/", views.panel, name="panel"),
    path("panel/export.xlsx", views.panel_export, name="panel_export"),
    path("targets/", views.targets, name="targets"),
]
