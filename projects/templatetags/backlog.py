"""Template helpers of the backlog page."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def filter_select(field):
    """A filter's <select>, rendered in Python.

    The backlog is the busiest page: Django's widget templates (one template per
    <option>) cost more than its queries. Same markup, ARIA state included.
    """
    widget = field.field.widget
    multiple = getattr(widget, "allow_multiple_selected", False)
    value = field.value()
    selected = {str(v) for v in value} if multiple and value else {str(value or "")}
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, " selected" if str(key) in selected else "", label)
            for key, label in _flat_choices(field.field.choices)
        ),
    )
    attrs = format_html_join(" ", '{}="{}"', sorted(widget.attrs.items()))
    return format_html(
        '<select name="{}" id="{}"{}{} {}>{}</select>',
        field.html_name,
        field.auto_id,
        mark_safe(" multiple") if multiple else "",  # noqa: S308 - a constant
        format_html(' aria-invalid="true" aria-describedby="{}_error"', field.auto_id)
        if field.errors
        else "",
        attrs,
        options,
    )


@register.simple_tag
def filter_checkboxes(field):
    """A multiple choice filter as checkboxes, one fieldset per group, in a <details>
    that stays folded until one is checked (same reason as above: rendered in Python)."""
    value = field.value() or []
    selected = {str(v) for v in value}
    groups = []
    index = 0
    for group, options in _grouped_choices(field.field.widget.choices):
        boxes = []
        for key, label in options:
            box_id = f"{field.auto_id}_{index}"
            index += 1
            boxes.append(
                format_html(
                    '<li><input type="checkbox" name="{}" value="{}" id="{}"{}>'
                    ' <label for="{}">{}</label></li>',
                    field.html_name,
                    key,
                    box_id,
                    mark_safe(" checked") if str(key) in selected else "",  # noqa: S308 - a constant
                    box_id,
                    label,
                )
            )
        groups.append(
            format_html(
                "<fieldset><legend>{}</legend><ul>{}</ul></fieldset>",
                group,
                mark_safe("".join(boxes)),  # noqa: S308 - each item escaped above
            )
        )
    chosen = len(selected)
    count = (
        format_html(
            ' <span class="muted">({})</span>',
            ngettext("%(n)d chosen", "%(n)d chosen", chosen) % {"n": chosen},
        )
        if chosen
        else ""
    )
    return format_html(
        '<details class="choice-groups" id="{}"{}{}><summary>{}{}</summary>{}</details>',
        field.auto_id,
        mark_safe(" open") if chosen or field.errors else "",  # noqa: S308 - a constant
        format_html(' aria-describedby="{}_error"', field.auto_id) if field.errors else "",
        field.label,
        count,
        mark_safe("".join(groups)),  # noqa: S308 - each group escaped above
    )


def _grouped_choices(choices):
    """[(group label, [(key, label), …])]; ungrouped choices form one group without a name."""
    loose = []
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield key, [(getattr(k, "value", k), text) for k, text in label]
        else:
            loose.append((getattr(key, "value", key), label))
    if loose:
        yield "", loose


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield getattr(key, "value", key), label
