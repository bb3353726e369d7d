from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("double-authentification/", views.second_factor, name="second_factor"),
    path("", views.account, name="account"),
    path("jeton/", views.regenerate_token, name="regenerate_token"),
    path("demandes/", views.membership_requests, name="membership_requests"),
    path("demandes/<int:pk>/decision/", views.decide_membership, name="decide_membership"),
]
