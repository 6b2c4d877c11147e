"""The audit log's writing side: services of every app call `record` for each coordinator
or moderator action, inside the transaction that acts, so the row exists exactly when the
change does. Each app registers the labels of its actions (`register_actions`, from
`AppConfig.ready`) for the admin to show."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry

_LABELS = {}


def register_actions(**labels):
    """Human labels of action codes, e.g. `register_actions(**{"missions.launch": _(…)})`."""
    _LABELS.update(labels)


def action_label(code):
    return _LABELS.get(code, code)


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(*, by, action, target, changes=None):
    """Write one audit row: `by` (a user, or None for the platform itself) did `action` to
    `target`; `changes` maps a field to its (before, after) values."""
    return AuditEntry.objects.create(
        acting_user=by if getattr(by, "pk", None) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=target.pk,
        object_repr=str(target)[:200],
        changes={
            field: [_plain(before), _plain(after)]
            for field, (before, after) in (changes or {}).items()
        },
    )


def entries_for(target):
    """The audit rows of one object, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=target.pk,
    ).select_related("acting_user")
