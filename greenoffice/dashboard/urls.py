from django.urls import path

from greenoffice.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("panels/battle-map/", views.battle_map_panel, name="battle_map"),
    path("panels/targets/", views.targets_panel, name="targets"),
    path("panels/scores/", views.scores_panel, name="scores"),
    path("panels/supervision/", views.supervision_panel, name="supervision"),
    path("panels/carbon/", views.carbon_panel_view, name="carbon"),
]
