"""Static files in production: WhiteNoise's compressed files under hashed names, the
imports between our ES modules rewritten to those names too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # map.js imports "./urls.js": left as is, the hashed map.js would load urls.js under
    # its plain name, which a browser may keep from before a deploy.
    support_js_module_import_aggregation = True
