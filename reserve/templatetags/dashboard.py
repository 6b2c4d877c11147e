from django import template

from reserve.dashboard import blocks_for

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_blocks(context):
    """The coordinator's dashboard blocks for the admin index (reserve.dashboard)."""
    request = context.get("request")
    return blocks_for(request) if request is not None else []
