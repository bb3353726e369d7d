from django.urls import path

from . import fse, import_page, participants, protocol_settings, views

app_name = "pathways"
urlpatterns = [
    path("", views.protocol_list, name="protocols"),
    path("suivi/", views.caseload_view, name="caseload"),
    path("participants/", views.participant_list, name="participants"),
    path("participants/nouveau/", participants.participant_create, name="participant_create"),
    path("participants/<int:pk>/", participants.participant_detail, name="participant"),
    path("participants/<int:pk>/etapes/nouvelle/", participants.step_create, name="step_create"),
    path("participants/<int:pk>/etapes/<int:step_pk>/", participants.step_update, name="step_update"),
    path("participants/<int:pk>/contacts/nouveau/", participants.contact_create, name="contact_create"),
    path("participants/<int:pk>/droit-d-acces/", participants.access_export, name="access_export"),
    path("participants/<int:pk>/fse/<str:moment>/", fse.questionnaire, name="questionnaire"),
    path("participants/<int:pk>/<str:action>/", participants.participant_action, name="participant_action"),
    path("protocoles/<slug:slug>/", views.dashboard, name="dashboard"),
    path("protocoles/<slug:slug>/export.csv", views.export, name="export"),
    path("protocoles/<slug:slug>/fse/", fse.indicators, name="fse"),
    path("protocoles/<slug:slug>/import/", import_page.import_file, name="import"),
    path("protocoles/<slug:slug>/parametres/", protocol_settings.protocol_parameters, name="parameters"),
]
