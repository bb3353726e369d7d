from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("territoires/", views.territories_report, name="territories"),
]
