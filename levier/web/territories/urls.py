from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("", views.territory_search, name="search"),
    path("<str:kind>/<str:code>/", views.territory_detail, name="detail"),
]
