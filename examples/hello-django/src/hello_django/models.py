from django.db import models


class Greeting(models.Model):
    """A table of the app's own, so that a release needs its migrations to run."""

    text = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
