from django.urls import path

from assessment.views import calendar as calendar_views
from assessment.views import campaign as campaign_views
from assessment.views import evidence as evidence_views
from assessment.views import review as review_views
from assessment.views import rubric as rubric_views
from assessment.views import self_assessment as self_assessment_views

app_name = "assessment"

# --- Rubric versions and campaigns (rubric/campaign area) ------------------------------------------
rubric_campaign_urlpatterns = [
    path("rubrics/", rubric_views.rubric_list_view, name="rubric_list"),
    path("rubrics/import/", rubric_views.rubric_import_view, name="rubric_import"),
    path("rubrics/<int:pk>/", rubric_views.rubric_detail, name="rubric_detail"),
    path("rubrics/<int:pk>/export/", rubric_views.rubric_export, name="rubric_export"),
    path("rubrics/<int:pk>/publish/", rubric_views.rubric_publish_view, name="rubric_publish"),
    path("rubrics/<int:pk>/new-version/", rubric_views.rubric_new_version_view, name="rubric_new_version"),
    path("rubrics/<int:pk>/delete/", rubric_views.rubric_delete_view, name="rubric_delete"),
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_update_view, name="campaign_update"),
    path("campaigns/<int:pk>/timeline/", calendar_views.campaign_timeline, name="campaign_timeline"),
    path("campaigns/<int:pk>/enrol/", campaign_views.campaign_enrol, name="campaign_enrol"),
    path("campaigns/<int:pk>/enrolments/<int:enrolment_pk>/unenrol/", campaign_views.campaign_unenrol_view,
         name="campaign_unenrol"),
]
# --- end rubric/campaign area ----------------------------------------------------------------------

# --- Self-assessment, evidence and review (self-assessment area) -----------------------------------
self_assessment_urlpatterns = [
    path("self-assessments/", self_assessment_views.my_assessments, name="my_assessments"),
    path("self-assessments/<int:enrolment_pk>/", self_assessment_views.self_assessment_page,
         name="self_assessment"),
    path("self-assessments/<int:enrolment_pk>/items/<int:item_pk>/", self_assessment_views.item_save,
         name="self_assessment_item"),
    path("self-assessments/<int:enrolment_pk>/submit/", self_assessment_views.submit,
         name="self_assessment_submit"),
    path("self-assessments/<int:enrolment_pk>/history/", self_assessment_views.history,
         name="self_assessment_history"),
    path("evidence/<int:pk>/download/", evidence_views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", evidence_views.evidence_delete, name="evidence_delete"),
    path("evidence/<int:pk>/replace/", evidence_views.evidence_replace, name="evidence_replace"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<int:enrolment_pk>/", review_views.review_detail, name="review_detail"),
    path("review/<int:enrolment_pk>/extension/", calendar_views.extension_grant, name="extension_grant"),
]
# --- end self-assessment area ----------------------------------------------------------------------

urlpatterns: list = [
    *rubric_campaign_urlpatterns,
    *self_assessment_urlpatterns,
]
