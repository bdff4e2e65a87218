from django.urls import path

from inspections.evaluation.views import activities, awards, evaluation, files, public

app_name = "evaluation"
urlpatterns = [
    path("", evaluation.index, name="index"),
    path("rounds/", evaluation.round_list, name="round_list"),
    path("rounds/new/", evaluation.round_create_view, name="round_create"),
    path("rounds/<int:pk>/", evaluation.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", evaluation.round_edit, name="round_edit"),
    path("rounds/<int:pk>/status/", evaluation.round_status, name="round_status"),
    path("rounds/<int:pk>/targets/", evaluation.round_targets_add, name="round_targets_add"),
    path("rounds/<int:pk>/media/new/", evaluation.media_create, name="media_create"),
    path("targets/<int:pk>/", evaluation.target_detail, name="target_detail"),
    path("targets/<int:pk>/poster.pdf", evaluation.target_poster, name="target_poster"),
    path("targets/<int:pk>/invitations/", evaluation.target_invitations, name="target_invitations"),
    path("moderation/", evaluation.moderation_queue, name="moderation_queue"),
    path("moderation/<int:pk>/", evaluation.moderation_decide, name="moderation_decide"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create_view, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/join/", activities.participation_register_view, name="participation_register"),
    path("activities/photos/<int:pk>/", files.participation_photo, name="participation_photo"),
    path("awards/", awards.nomination_list, name="nomination_list"),
    path("awards/star/", awards.nominate_star, name="nominate_star"),
    path("awards/guardian/", awards.nominate_guardian, name="nominate_guardian"),
    path("awards/<int:pk>/decide/", awards.nomination_decide_view, name="nomination_decide"),
    path("awards/<int:pk>/withdraw/", awards.nomination_withdraw_view, name="nomination_withdraw"),
    path("public/awards/", public.public_awards, name="public_awards"),
]
