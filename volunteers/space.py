"""Sections of a volunteer's space ("Mon espace") contributed by the other apps.

Each app registers, from its AppConfig.ready(), a link shown in the volunteer's space:

    from volunteers.space import register_section
    register_section("missions", _("My call-ups"), "missions:mine", order=30)

so that the space lists the projects, applications, call-ups and LightsOff tasks of the
volunteer without `volunteers` importing those apps.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SpaceSection:
    key: str
    label: object
    url_name: str
    order: int = 0
    # Who sees the link (a user -> bool); None: every volunteer.
    visible: object = None


_sections = {}


def register_section(key, label, url_name, *, order=0, visible=None):
    _sections[key] = SpaceSection(key, label, url_name, order, visible)


def space_sections(user=None):
    """The sections, in order; given a user, only those `visible` to them."""
    sections = sorted(_sections.values(), key=lambda s: (s.order, s.key))
    if user is None:
        return sections
    return [s for s in sections if s.visible is None or s.visible(user)]
