"""What the platform holds about a volunteer, gathered from every app.

`volunteers` imports no sibling app (DESIGN.md). Each app that keeps personal data
registers, from its AppConfig.ready(), how to export it and how to erase it:

    from volunteers.privacy import register_exporter, register_eraser
    register_exporter("missions", lambda user: [...])   # JSON-serialisable
    register_eraser("missions", erase_callup_answers)   # called inside the deletion transaction

The RGPD export (/volunteers/me/export.json) and account deletion call them all.
"""

_exporters = {}
_erasers = {}


def register_exporter(key, export):
    """`export(user)` returns the JSON-serialisable data the app holds about `user`."""
    _exporters[key] = export


def register_eraser(key, erase):
    """`erase(user)` erases or anonymises what the app holds about `user`; it runs in the
    account-deletion transaction, before the account itself is anonymised."""
    _erasers[key] = erase


def exported_sections(user):
    return {key: export(user) for key, export in sorted(_exporters.items())}


def erase_everywhere(user):
    for _key, erase in sorted(_erasers.items()):
        erase(user)
