from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("lessons/", include("lessons.course_urls")),
    path("", include("lessons.urls")),
    path("", include("simulator.rooms.urls")),
    path("", include("simulator.urls")),
    path("admin/", admin.site.urls),
]
