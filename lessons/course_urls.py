from django.urls import path

from . import views

urlpatterns = [
    path("", views.course, name="course"),
    path("progress/reset/", views.reset_progress, name="reset-progress"),
    path("<slug:slug>/", views.lesson_page, name="lesson"),
    path("<slug:slug>/predict/", views.predict, name="lesson-predict"),
    path("<slug:slug>/quiz/<int:number>/", views.answer, name="lesson-answer"),
    path("<slug:slug>/check/", views.check_solution, name="lesson-check"),
    path("<slug:slug>/solution.json", views.solution, name="lesson-solution"),
]
