from django.urls import path

from . import views_pages

urlpatterns = [
    path("glossary/", views_pages.glossary, name="glossary"),
    path("cheat-sheet/", views_pages.cheat_sheet, name="cheat-sheet"),
]
