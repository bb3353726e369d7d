from django.urls import path

from . import views

app_name = "aids"
urlpatterns = [
    path("", views.scheme_search, name="search"),
    path("simulateur/", views.simulator, name="simulator"),
    path("<slug:slug>/", views.scheme_detail, name="detail"),
]
