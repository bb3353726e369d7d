from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("nouvelle/", views.organisation_create, name="create"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/historique/", views.organisation_history, name="history"),
    path("<int:pk>/etablissements/nouveau/", views.establishment_create, name="establishment_create"),
    path("<int:pk>/liens-de-controle/", views.control_link_create, name="control_link_create"),
    path("<int:pk>/exercice/", views.fiscal_year_end, name="fiscal_year_end"),
]
