from django.urls import path

from . import conventions, instruction, views

app_name = "funding"
urlpatterns = [
    path("", views.fund_list, name="funds"),
    path("conventions/", views.convention_list, name="conventions"),
    path("conventions/nouvelle/", conventions.convention_create, name="convention_create"),
    path("conventions/<int:pk>/", views.convention_detail, name="convention"),
    path("conventions/<int:pk>/<str:action>/", conventions.convention_action, name="convention_action"),
    path("engagements/<int:pk>/", views.commitment_detail, name="commitment"),
    path("engagements/<int:pk>/emplois/", instruction.declare_jobs, name="declare_jobs"),
    path("engagements/<int:pk>/emplois/<int:report_pk>/verification/", instruction.verify_jobs, name="verify_jobs"),
    path("engagements/<int:pk>/remboursement/", instruction.repay, name="repay"),
    path("engagements/<int:pk>/perte/", instruction.write_off, name="write_off"),
    path("instruction/dossier-papier/", instruction.paper_application, name="paper_application"),
    path("copil/", views.copil, name="copil"),
    path("instruction/", instruction.instruction_list, name="instructions"),
    path("instruction/<int:pk>/", instruction.instruction_detail, name="instruction"),
    path("instruction/<int:pk>/pieces/<int:document_pk>/", instruction.instruction_document, name="instruction_document"),
    path("instruction/<int:pk>/deport/", instruction.conflict, name="conflict"),
    path("instruction/<int:pk>/<str:action>/", instruction.transition, name="transition"),
    path("<slug:slug>/", views.fund_detail, name="fund"),
]
