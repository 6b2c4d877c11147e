"""Static files as production stores them (reserve.storage): hashed names everywhere."""

import re

from django.core.management import call_command

from tests.conftest import ROOT


def test_the_hashed_map_module_imports_the_hashed_urls_module(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_DIRS = [ROOT / "static"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "reserve.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    [map_js] = (tmp_path / "lightsoff").glob("map.*.js")
    [urls_js] = (tmp_path / "lightsoff").glob("urls.*.js")
    imports = re.findall(r'from "(.*?)"', map_js.read_text())
    assert imports == [f"./{urls_js.name}"]
