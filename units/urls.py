from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("export.xlsx", views.unit_export, name="export"),
    path("new/", views.unit_create, name="create"),
    path("import/", views.unit_import, name="import"),
    path("import/confirm/", views.unit_import_confirm, name="import_confirm"),
    path("import/template.xlsx", views.unit_import_template, name="import_template"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/active/", views.unit_set_active, name="set_active"),
    path("<int:unit_pk>/people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
