from django.contrib import admin
from django.urls import path

from hello_django import views

urlpatterns = [
    path("", views.index),
    path("healthz", views.healthz),
    path("echo", views.echo),
    path("items/<str:name>", views.item),
    path("admin/", admin.site.urls),
]
