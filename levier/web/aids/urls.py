from django.urls import path

from . import applications, backoffice, declaration, views

app_name = "aids"
urlpatterns = [
    path("", views.scheme_search, name="search"),
    path("simulateur/", views.simulator, name="simulator"),
    path("gestion/", backoffice.scheme_list, name="manage_list"),
    path("gestion/nouveau/", backoffice.scheme_create, name="manage_create"),
    path("gestion/<slug:slug>/", backoffice.scheme_manage, name="manage"),
    path("gestion/<slug:slug>/<str:action>/", backoffice.scheme_transition, name="manage_transition"),
    path("demandes/", applications.application_list, name="applications"),
    path("demandes/<int:pk>/", applications.application_detail, name="application"),
    path("demandes/<int:pk>/pieces/", applications.upload, name="application_upload"),
    path("demandes/<int:pk>/pieces/<int:document_pk>/", applications.document, name="application_document"),
    path("demandes/<int:pk>/depot/", applications.submit, name="application_submit"),
    path("demandes/<int:pk>/de-minimis/", declaration.declaration, name="application_de_minimis"),
    path("<slug:slug>/", views.scheme_detail, name="detail"),
    path("<slug:slug>/demande/", applications.start, name="application_start"),
]
