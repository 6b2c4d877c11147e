from django.shortcuts import get_object_or_404, render

from .models import Shop


def index(request):
    """The LightsOff map."""
    return render(request, "lightsoff/index.html")


def shop(request, pk):
    shop = get_object_or_404(Shop, pk=pk, is_hidden=False)
    return render(request, "lightsoff/shop.html", {"shop": shop})
